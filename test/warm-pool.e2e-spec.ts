import { INestApplicationContext } from '@nestjs/common';
import { ApiHarness } from './support/api-harness';
import { nb, parameterized, sleeping } from './support/notebooks';
import { dockerCreates } from './support/docker-events';
import { containerExists, containersOf, docker, eventually, readyWarmContainers, sleep, startWorker } from './support/worker-harness';

const code = (source: string, tags: string[] = []) => ({ cell_type: 'code', source, metadata: tags.length ? { tags } : {}, outputs: [], execution_count: null });

/** What a run sees of its container: limits, network, environment names, user, working directory. */
const introspecting = () =>
  nb(
    code('greeting = "default"\ncount = 1', ['parameters']),
    code('print(f"{greeting} x{count}")\nprint(type(count).__name__)'),
    code(
      [
        'import os, pathlib',
        'def first(*paths):',
        '    for p in paths:',
        '        if os.path.exists(p): return pathlib.Path(p).read_text().strip()',
        'print("memory", first("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"))',
        'print("cpu", first("/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us"))',
        'print("pids", first("/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max"))',
        'print("net", sorted(os.listdir("/sys/class/net")))',
        'print("env", sorted(k for k in os.environ if k not in ("HOSTNAME",)))',
        'print("uid", os.getuid(), "cwd", os.getcwd())',
        'print("input", sorted(os.listdir("/work/input")))',
      ].join('\n'),
    ),
  );

/** The warm pool on a real worker node: correctness, not speed (speed lives in bench/). */
describe('warm pool (Postgres, Redis, BullMQ, Docker)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let admin: string;
  let node: string;

  beforeAll(async () => {
    h = await ApiHarness.start({ HEARTBEAT_SECONDS: '1', WARM_POOL_SIZE: '0', MAX_CONTAINERS_PER_NODE: '3' });
    worker = await startWorker(h.config);
    admin = await h.token();
    node = h.config.nodeName;
  });

  afterAll(async () => {
    await worker?.close();
    await h?.stop();
  });

  const auth = () => ({ Authorization: `Bearer ${admin}` });

  async function setProps(p: Record<string, unknown>) {
    const res = await h.http.post('/arcgis/admin/system/properties/update').set(auth()).type('form').send({ properties: JSON.stringify(p), f: 'json' });
    expect(res.status).toBe(200);
  }

  async function execute(itemId: string, extra: Record<string, unknown> = {}) {
    const res = await h.http.post('/arcgis/admin/notebooks/executeNotebook').set(auth()).type('form').send({ itemId, f: 'json', ...extra });
    expect(res.status).toBe(200);
    return res.body.jobId as string;
  }

  const job = async (jobId: string) => (await h.http.get(`/arcgis/admin/system/jobs/${jobId}`).set(auth())).body;
  const finished = (jobId: string, timeoutMs = 90_000) =>
    eventually(async () => {
      const j = await job(jobId);
      return ['COMPLETED', 'FAILED'].includes(j.status) ? j : null;
    }, timeoutMs);
  /** The run as the worker recorded it: which container ran it and whether it was warm. */
  const recorded = async (jobId: string) =>
    (await h.ds.query('SELECT result FROM runs WHERE id = $1', [jobId]))[0].result as { warm: boolean; containerId: string };
  const executed = async (jobId: string) => (await h.http.get(`/arcgis/admin/system/jobs/${jobId}/notebook`).set(auth())).body;
  const poolReady = (n = 1) => eventually(async () => (await readyWarmContainers(node)).length >= n, 90_000, 100);

  /** Outputs and the injected cells of an executed notebook, without per-run timestamps. */
  const comparable = (executedNb: { cells: Array<{ source: unknown; metadata: { tags?: string[] }; outputs?: unknown[] }> }) =>
    executedNb.cells.map((c) => ({ source: c.source, tags: c.metadata.tags ?? [], outputs: c.outputs ?? [] }));

  it('a warm run and a cold run of the same parameterized notebook produce the same outputs and see the same container', async () => {
    const itemId = await h.addNotebook(admin, 'admin', introspecting());
    const params = { notebookParameters: JSON.stringify({ greeting: "it's me", count: 3 }), updatePortalItem: 'false' };

    const coldJob = await execute(itemId, params);
    expect((await finished(coldJob)).status).toBe('COMPLETED');
    expect((await recorded(coldJob)).warm).toBe(false);

    await setProps({ warmPoolSizePerRuntime: 1 });
    await poolReady();
    const warmJob = await execute(itemId, params);
    expect((await finished(warmJob)).status).toBe('COMPLETED');
    expect((await recorded(warmJob)).warm).toBe(true);

    const [cold, warm] = [comparable(await executed(coldJob)), comparable(await executed(warmJob))];
    expect(warm).toEqual(cold);
    const text = JSON.stringify(warm);
    expect(text).toContain("it's me x3");
    expect(text).toContain("net ['lo']"); // network none, warm or cold
    expect(text).toContain('memory 2147483648'); // CONTAINER_MEMORY_MB default (2048)
    expect(text).toMatch(/cpu 100000/); // CONTAINER_CPUS default (1): 100000 µs per 100000 µs period, v1 or v2
    expect(text).toContain('uid 1000 cwd /work');
    expect(text).toContain('NBA_RUN_ID');
    expect(warm[1].tags).toEqual(['injected-parameters']);
  });

  it('never reuses a warm container: every run has its own container, gone after the run', async () => {
    await setProps({ warmPoolSizePerRuntime: 1 });
    const itemId = await h.addNotebook(admin, 'admin', parameterized());
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      await poolReady();
      const jobId = await execute(itemId, { notebookParameters: JSON.stringify({ count: i }), updatePortalItem: 'false' });
      expect((await finished(jobId)).status).toBe('COMPLETED');
      const r = await recorded(jobId);
      expect(r.warm).toBe(true);
      ids.push(r.containerId);
    }
    // Three runs back to back while the pool may be refilling: warm or cold, never a shared container.
    const burst = await Promise.all([0, 1, 2].map((i) => execute(itemId, { notebookParameters: JSON.stringify({ count: 10 + i }), updatePortalItem: 'false' })));
    for (const jobId of burst) {
      expect((await finished(jobId)).status).toBe('COMPLETED');
      ids.push((await recorded(jobId)).containerId);
    }
    expect(new Set(ids).size).toBe(ids.length);
    await eventually(async () => (await Promise.all(ids.map(containerExists))).every((x) => !x), 20_000);
  });

  it('refills the pool after a run, with a new container', async () => {
    await setProps({ warmPoolSizePerRuntime: 1 });
    const [before] = await poolReady().then(() => readyWarmContainers(node));
    const jobId = await execute(await h.addNotebook(admin, 'admin', parameterized()), { updatePortalItem: 'false' });
    expect((await finished(jobId)).status).toBe('COMPLETED');
    expect((await recorded(jobId)).containerId).toBe(before.Id);
    const after = await eventually(async () => (await readyWarmContainers(node)).find((c) => c.Id !== before.Id), 90_000, 100);
    expect(after.Id).not.toBe(before.Id);
  });

  it('never has more containers than the cap with the pool on, counted from Docker while runs go', async () => {
    await setProps({ warmPoolSizePerRuntime: 2, maxExecuteNotebookContainersPerNode: 2 });
    await poolReady(2);
    const itemId = await h.addNotebook(admin, 'admin', sleeping(1));
    let max = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const cs = await containersOf(node);
        max = Math.max(max, cs.length);
        await sleep(50);
      }
    })();
    const jobs = await Promise.all(Array.from({ length: 6 }, () => execute(itemId, { updatePortalItem: 'false' })));
    for (const j of jobs) expect((await finished(j)).status).toBe('COMPLETED');
    // And while the pool refills afterwards.
    await poolReady(2);
    sampling = false;
    await sampler;
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(2);
    await setProps({ maxExecuteNotebookContainersPerNode: 3 });
  });

  it('a burst at cap 2 with a pool of 2 creates no more containers than runs, counted from Docker events', async () => {
    await setProps({ warmPoolSizePerRuntime: 2, maxExecuteNotebookContainersPerNode: 2 });
    await poolReady(2);
    await eventually(async () => (await containersOf(node)).length === 2, 30_000, 100); // nothing else starting
    const created = await dockerCreates(docker, node);
    const itemId = await h.addNotebook(admin, 'admin', parameterized());
    const RUNS = 8;
    const jobs = await Promise.all(Array.from({ length: RUNS }, () => execute(itemId, { updatePortalItem: 'false' })));
    for (const j of jobs) expect((await finished(j)).status).toBe('COMPLETED');
    const ranRuns = new Set(await Promise.all(jobs.map(async (j) => (await recorded(j)).containerId)));
    expect(ranRuns.size).toBe(RUNS); // each run its own container
    // The pool fills up again once the queue is empty; then nothing more is created.
    await poolReady(2);
    await eventually(async () => (await containersOf(node)).length === 2, 30_000, 100);
    await sleep(500);
    const idleAfter = new Set((await containersOf(node)).map((c) => c.Id));
    const ids = await created.stop();
    // Every container created during the burst ran one of its runs or is idle in the pool now: none was evicted unused.
    expect(ids.filter((id) => !ranRuns.has(id) && !idleAfter.has(id))).toEqual([]);
    // So the burst itself (the pool's refill for what comes next aside) created at most one container per run.
    expect(ids.filter((id) => !idleAfter.has(id)).length).toBeLessThanOrEqual(RUNS);
    await setProps({ maxExecuteNotebookContainersPerNode: 3 });
  });

  it('times out and cancels a run on a warm container, removing the container', async () => {
    await setProps({ warmPoolSizePerRuntime: 1 });
    const itemId = await h.addNotebook(admin, 'admin', sleeping(120));

    await poolReady();
    const timedOut = await finished(await execute(itemId, { executionTimeoutInMinutes: '0.05', updatePortalItem: 'false' }));
    expect(timedOut.status).toBe('FAILED');
    expect(timedOut.messages.join('\n')).toMatch(/timed out after 0.05 minutes/);
    const t = await recorded(timedOut.jobId);
    expect(t.warm).toBe(true);
    await eventually(async () => !(await containerExists(t.containerId)), 10_000);

    await poolReady();
    const jobId = await execute(itemId, { updatePortalItem: 'false' });
    await eventually(async () => (await job(jobId)).status === 'PROCESSING');
    await sleep(500); // let the notebook start
    expect((await h.http.post(`/arcgis/admin/system/jobs/${jobId}/cancel`).set(auth())).body).toEqual({ status: 'success' });
    const cancelled = await finished(jobId, 30_000);
    expect(cancelled.status).toBe('FAILED');
    expect(cancelled.customAttributes.isCancelled).toBe(true);
    const c = await recorded(jobId);
    expect(c.warm).toBe(true);
    await eventually(async () => !(await containerExists(c.containerId)), 10_000);
  });

  it('pool size 0 turns it off: idle containers go, none start, runs start cold', async () => {
    await setProps({ warmPoolSizePerRuntime: 1 });
    await poolReady();
    await setProps({ warmPoolSizePerRuntime: 0 });
    await eventually(async () => (await containersOf(node, 'warm')).length === 0, 20_000);
    const jobId = await execute(await h.addNotebook(admin, 'admin', parameterized()), { updatePortalItem: 'false' });
    expect((await finished(jobId)).status).toBe('COMPLETED');
    expect((await recorded(jobId)).warm).toBe(false);
    // Several heartbeats later (1 s each), still no warm container.
    for (let i = 0; i < 6; i++) {
      expect(await containersOf(node, 'warm')).toHaveLength(0);
      await sleep(500);
    }
  });
});

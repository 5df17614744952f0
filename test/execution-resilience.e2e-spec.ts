import { INestApplicationContext } from '@nestjs/common';
import { ApiHarness } from './support/api-harness';
import { DockerSocketProxy } from './support/docker-socket-proxy';
import { printing, sleeping } from './support/notebooks';
import { AppProcess, envFor } from './support/processes';
import { ExecutionHousekeeping } from '../libs/execution/src/execution-housekeeping.service';
import { containersOf, eventually, sleep, startWorker } from './support/worker-harness';

/** The per-node cap, crashes and Docker outages, against real Postgres, Redis, BullMQ and Docker. */
describe('execution engine under load and failure', () => {
  let h: ApiHarness;
  let admin: string;

  beforeAll(async () => {
    h = await ApiHarness.start({ HEARTBEAT_SECONDS: '1' });
    admin = await h.token();
  });
  afterAll(async () => h?.stop());

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const execute = async (itemId: string) =>
    (await h.http.post('/arcgis/admin/notebooks/executeNotebook').set(auth()).type('form').send({ itemId, updatePortalItem: 'false' })).body.jobId as string;
  const job = async (id: string) => (await h.http.get(`/arcgis/admin/system/jobs/${id}`).set(auth())).body;
  const setProps = async (properties: object) => {
    const res = await h.http.post('/arcgis/admin/system/properties/update').set(auth()).type('form').send({ properties: JSON.stringify(properties) });
    expect(res.status).toBe(200);
    return res.body;
  };

  describe('the per-node cap', () => {
    let worker: INestApplicationContext;
    afterAll(async () => worker?.close());

    it('never has more than the cap of containers, and a raised cap applies at once, even while every slot is busy', async () => {
      await setProps({ maxExecuteNotebookContainersPerNode: 2 });
      worker = await startWorker(h.config);
      const itemId = await h.addNotebook(admin, 'admin', sleeping(15));
      const jobs: string[] = [];
      for (let i = 0; i < 6; i++) jobs.push(await execute(itemId));

      // Sample Docker while the first runs go: never more than 2 containers of this node.
      let maxSeen = 0;
      const sampleUntil = Date.now() + 6_000;
      while (Date.now() < sampleUntil) {
        maxSeen = Math.max(maxSeen, (await containersOf(h.config.nodeName)).length);
        await sleep(150);
      }
      expect(maxSeen).toBe(2);

      // Both slots are held by runs with seconds still to go. A raised cap must start more runs now, in the same
      // worker process, not once those end.
      const holding = [];
      for (const id of jobs) if ((await job(id)).status === 'PROCESSING') holding.push(id);
      expect(holding).toHaveLength(2);
      await setProps({ maxExecuteNotebookContainersPerNode: 4 });
      let maxAfter = 0;
      await eventually(async () => {
        const n = (await containersOf(h.config.nodeName)).length;
        maxAfter = Math.max(maxAfter, n);
        return n > 2;
      }, 20_000, 100);
      for (const id of holding) expect((await job(id)).status).toBe('PROCESSING');
      expect(maxAfter).toBeGreaterThan(2);
      expect(maxAfter).toBeLessThanOrEqual(4);

      // Lowered below what runs now: those runs go on, and no new one starts until fewer than the new cap are left.
      await setProps({ maxExecuteNotebookContainersPerNode: 2 });
      let under = false;
      let maxUnder = 0;
      await eventually(async () => {
        const statuses = (await Promise.all(jobs.map(job))).map((j) => j.status as string);
        const n = statuses.filter((st) => st === 'PROCESSING').length;
        if (n <= 2) under = true;
        if (under) maxUnder = Math.max(maxUnder, n);
        return statuses.every((st) => st === 'COMPLETED');
      }, 120_000, 150);
      expect(under).toBe(true);
      expect(maxUnder).toBeLessThanOrEqual(2);

      for (const id of jobs) expect((await eventually(async () => ((await job(id)).status === 'COMPLETED' ? job(id) : null), 90_000)).status).toBe('COMPLETED');
      const machines = (await h.http.get('/arcgis/admin/machines').set(auth())).body.machines;
      expect(machines).toEqual([expect.objectContaining({ machineName: h.config.nodeName, maxExecuteNotebookContainersPerNode: 2, healthcheck: true })]);
      // The status comes from the node's heartbeat: wait for the beat after the last run ended.
      const status = await eventually(async () => {
        const s = (await h.http.get(`/arcgis/admin/machines/${h.config.nodeName}/status`).set(auth())).body;
        return s.runsInProgress === 0 ? s : null;
      }, 10_000);
      expect(status).toMatchObject({ healthcheck: true, canProvisionExecuteNotebooks: true, dockerAvailable: true });
    });
  });

  it('a worker killed mid-run (SIGKILL) and started again leaves no stray container and no run stuck in PROCESSING', async () => {
    const env = envFor(h.config);
    let worker = AppProcess.start('worker', env);
    try {
      await worker.waitFor('taking runs');
      const itemId = await h.addNotebook(admin, 'admin', sleeping(120));
      const id = await execute(itemId);
      await eventually(async () => (await job(id)).status === 'PROCESSING');
      await eventually(async () => (await containersOf(h.config.nodeName)).length === 1);

      await worker.kill();
      expect((await containersOf(h.config.nodeName)).length).toBe(1); // the orphan, until the node comes back

      worker = AppProcess.start('worker', env);
      await worker.waitFor('taking runs');
      expect(await containersOf(h.config.nodeName)).toEqual([]);
      const j = await job(id);
      expect(j.status).toBe('FAILED');
      expect(j.messages.join('\n')).toMatch(/restarted while this run was in progress/);

      // The node still works after its restart.
      const next = await execute(await h.addNotebook(admin, 'admin', printing('print("after restart")')));
      expect((await eventually(async () => ((await job(next)).status === 'COMPLETED' ? job(next) : null), 60_000)).status).toBe('COMPLETED');
    } finally {
      await worker.stop();
    }
  });

  it('a second live worker with the same NODE_NAME refuses to start (it would remove the first one\'s containers)', async () => {
    const env = envFor(h.config, { NODE_NAME: `${h.config.nodeName}-dup` });
    const first = AppProcess.start('worker', env);
    try {
      await first.waitFor('taking runs');
      const second = AppProcess.start('worker', env);
      await second.waitFor(/another worker with NODE_NAME=\S+-dup is running/);
      await eventually(async () => second.child.exitCode === 1, 10_000);
    } finally {
      await first.stop();
    }
  });

  it('a run submitted while the Docker engine is unreachable waits, then completes once it is back', async () => {
    const proxy = new DockerSocketProxy();
    await proxy.up();
    const config = { ...h.config, execution: { ...h.config.execution, dockerSocket: proxy.path } };
    const worker = await startWorker(config);
    try {
      await proxy.down();
      const id = await execute(await h.addNotebook(admin, 'admin', printing('print("engine is back")')));
      // It is tried, given back, and stays queued while the engine is away: never FAILED, never lost.
      await eventually(async () => (await job(id)).messages.some((m: string) => /Docker engine unavailable/.test(m)), 20_000);
      await sleep(3_000);
      expect((await job(id)).status).toBe('SUBMITTED');

      await proxy.up();
      const done = await eventually(async () => ((await job(id)).status === 'COMPLETED' ? job(id) : null), 60_000);
      expect(done.status).toBe('COMPLETED');
    } finally {
      await worker.close();
      await proxy.down();
    }
  });

  it('a notebook that runs out of memory is reported as such, with the limit, not as "kernel died"', async () => {
    // A run's memory limit is its runtime's (read when the run starts).
    const limit = await h.http
      .post('/arcgis/admin/notebooks/runtimes/default/update')
      .set('Authorization', `Bearer ${admin}`)
      .type('form')
      .send({ maxMemory: '192', maxMemoryUnit: 'm', f: 'json' });
    expect(limit.status).toBe(200);
    const worker = await startWorker(h.config);
    try {
      const id = await execute(await h.addNotebook(admin, 'admin', printing('x = bytearray(600 * 1024 * 1024)\nprint(len(x))')));
      const done = await eventually(async () => ((await job(id)).status === 'FAILED' ? job(id) : null), 90_000);
      expect(done.messages.join('\n')).toMatch(/ran out of memory: its container reached the 192 MiB limit of its runtime 'default' \(maxMemory\)/);
    } finally {
      await worker.close();
      await h.http.post('/arcgis/admin/notebooks/runtimes/restore').set('Authorization', `Bearer ${admin}`).type('form').send({ f: 'json' });
    }
  }, 150_000);

  describe('housekeeping', () => {
    const insertRun = async (id: string, node: string, startedMinutesAgo: number, timeoutMinutes: number) => {
      const [owner] = await h.ds.query(`SELECT id FROM users WHERE username = 'admin'`);
      await h.ds.query(
        `INSERT INTO runs (id, trigger, item_id, owner_id, username, runtime, timeout_minutes, status, node_name, submitted_at, started_at)
         VALUES ($1, 'executeNotebook', $1, $2, 'admin', 'default', $3, 'PROCESSING', $4, now() - make_interval(mins => $5), now() - make_interval(mins => $5))`,
        [id, owner.id, timeoutMinutes, node, startedMinutesAgo],
      );
    };
    const statusOf = async (id: string) => (await h.ds.query(`SELECT status, messages FROM runs WHERE id = $1`, [id]))[0];

    it('fails runs of a node that stopped heart-beating, and runs PROCESSING well past their deadline on a live node', async () => {
      const worker = await startWorker(h.config);
      try {
        const pass = () => worker.get(ExecutionHousekeeping).pass();
        await h.ds.query(`INSERT INTO worker_nodes (name, cap, running, docker_ok, started_at, last_heartbeat) VALUES ('gone-node', 1, 1, true, now(), now() - interval '1 hour')`);
        await insertRun('a'.repeat(32), 'gone-node', 1, 60);
        await insertRun('b'.repeat(32), h.config.nodeName, 64, 60); // the live node: 4 minutes past its deadline
        await insertRun('c'.repeat(32), h.config.nodeName, 30, 60); // within its deadline
        await pass();
        expect(await statusOf('a'.repeat(32))).toMatchObject({ status: 'FAILED', messages: [expect.stringMatching(/gone-node stopped responding/)] });
        expect(await statusOf('b'.repeat(32))).toMatchObject({ status: 'FAILED', messages: [expect.stringMatching(/did not finish within its deadline \(60 minutes\)/)] });
        expect((await statusOf('c'.repeat(32))).status).toBe('PROCESSING');
      } finally {
        await h.ds.query(`UPDATE runs SET status = 'FAILED' WHERE id = $1`, ['c'.repeat(32)]);
        await worker.close();
      }
    });
  });
});

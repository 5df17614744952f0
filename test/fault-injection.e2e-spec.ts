import { printing, sleeping } from './support/notebooks';
import { AppProcess } from './support/processes';
import { freePort, PrivateDocker, PrivatePostgres, PrivateRedis } from './support/private-services';
import { TEST_DEFAULT_IMAGE } from './support/test-env';
import { eventually, sleep } from './support/worker-harness';

/**
 * Faults of the services a site depends on, injected into a Redis, a Postgres cluster and a Docker engine of this
 * suite's own (never the machine's shared ones), with the api and a worker running as built processes against them.
 * Every case counts: runs lost, stuck, doubled, and containers left over.
 */
describe('fault injection (own Redis, Postgres and Docker engine)', () => {
  let redis: PrivateRedis;
  let pg: PrivatePostgres;
  let engine: PrivateDocker;
  let api: AppProcess;
  let worker: AppProcess;
  let base: string;
  let token: string;
  const node = `fault-${process.pid}`;

  const env = (extra: Record<string, string> = {}) => ({
    NODE_ENV: 'test',
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'nbfault',
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'admin-password',
    TOKEN_SECRET: 'fault-suite-secret-fault-suite-secret',
    BCRYPT_ROUNDS: '4',
    HEARTBEAT_SECONDS: '1',
    // The runner image (NBA_TEST_RUNTIMES) is also the worker's exporter's: the private engine has it, loaded below.
    RUNTIMES: `default=${TEST_DEFAULT_IMAGE}`,
    DOCKER_SOCKET: engine.socket,
    MAX_CONTAINERS_PER_NODE: '4',
    // The suite counts run containers: no warm pool (the product's default keeps one).
    WARM_POOL_SIZE: '0',
    ...extra,
  });

  const startWorker = async () => {
    worker = AppProcess.start('worker', env({ NODE_NAME: node }));
    await worker.waitFor('taking runs', 60_000);
  };

  beforeAll(async () => {
    [redis, pg, engine] = await Promise.all([PrivateRedis.start(), PrivatePostgres.start(), PrivateDocker.start([TEST_DEFAULT_IMAGE])]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = AppProcess.start('api', env({ PORT: String(port), NODE_NAME: `${node}-api`, PUBLIC_URL: base }));
    await api.waitFor('listening on', 60_000);
    await startWorker();
    const res = await fetch(`${base}/sharing/rest/generateToken`, { method: 'POST', body: new URLSearchParams({ username: 'admin', password: 'admin-password', f: 'json', expiration: '600' }) });
    token = ((await res.json()) as { token: string }).token;
  }, 240_000);

  afterAll(async () => {
    await Promise.all([api?.kill(), worker?.kill()]);
    await Promise.all([engine?.destroy(), pg?.destroy(), redis?.kill()]);
  }, 120_000);

  const call = async (path: string, form: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: new URLSearchParams({ f: 'json', ...form }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const addNotebook = async (notebook: object) =>
    (await call('/sharing/rest/content/users/admin/addItem', { type: 'Notebook', title: 'nb', text: JSON.stringify(notebook) })).body.id as string;
  const execute = async (itemId: string, extra: Record<string, string> = {}) => {
    const r = await call('/arcgis/admin/notebooks/executeNotebook', { itemId, updatePortalItem: 'false', ...extra });
    if (r.status !== 200) throw new Error(`executeNotebook: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.jobId as string;
  };

  interface Row {
    id: string;
    status: string;
    messages: string[];
    result: Record<string, unknown> | null;
  }
  const rows = (ids: string[]) => pg.query<Row>(`SELECT id, status, messages, result FROM runs WHERE id = ANY($1)`, [ids]);
  const finished = async (ids: string[], timeoutMs = 120_000) =>
    eventually(async () => {
      const r = await rows(ids);
      return r.length === ids.length && r.every((x) => x.status === 'COMPLETED' || x.status === 'FAILED') && r;
    }, timeoutMs, 500).catch(async (e) => {
      const state = await rows(ids).catch(() => []);
      const cs = await engine.containers(`nbautomation.node=${node}`).catch(() => []);
      const logs = await Promise.all(
        cs.map(async (c) => `${c.Names[0]} ${c.State} ${c.Status}: ${String(await engine.docker.getContainer(c.Id).logs({ stdout: true, stderr: true, tail: 20 }).catch(() => ''))}`),
      );
      throw new Error(
        `${(e as Error).message}\nruns: ${JSON.stringify(state.map((r) => [r.status, r.messages]))}\ncontainers: ${logs.join('\n')}\nworker: ${worker.output.join('').slice(-3000)}`,
      );
    });
  /** Started at most once each: one "Executing on" per attempt, one attempt unless it was given back to the queue. */
  const attempts = (r: Row) => r.messages.filter((m) => m.startsWith('Executing on')).length;
  const strays = () => eventually(async () => (await engine.containers(`nbautomation.node=${node}`)).length === 0, 30_000, 500);

  it('Postgres stopped (immediate) for 10 s mid-run: every run completes once Postgres is back, none stuck, none doubled', async () => {
    const itemId = await addNotebook(sleeping(3));
    const ids = [await execute(itemId), await execute(itemId), await execute(itemId)];
    await eventually(async () => (await rows(ids)).every((r) => r.status === 'PROCESSING'), 90_000, 200);
    await pg.stopImmediate();
    await sleep(10_000); // the notebooks end meanwhile; their outcomes wait in the worker
    await pg.start();
    const done = await finished(ids);
    expect(done.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(done.map(attempts)).toEqual([1, 1, 1]);
    await strays();
  }, 240_000);

  it('dockerd SIGKILLed mid-run: a notebook that finished meanwhile is COMPLETED, one cut off FAILED (not retried), one cut off with retryOnInfrastructureFailure run again, one queued meanwhile completes; no stray container', async () => {
    const quick = await addNotebook(sleeping(4));
    const slow = await addNotebook(sleeping(120));
    const medium = await addNotebook(sleeping(25));
    const ids = [await execute(quick), await execute(slow), await execute(medium, { retryOnInfrastructureFailure: 'true' })];
    // All three notebooks running: their runners printed READY (the input follows at once).
    await eventually(async () => {
      const cs = await engine.containers(`nbautomation.node=${node}`);
      if (cs.length !== 3) return false;
      const logs = await Promise.all(cs.map((c) => engine.docker.getContainer(c.Id).logs({ stdout: true, stderr: false })));
      return logs.every((l) => String(l).includes('NBRUNNER READY'));
    }, 120_000, 200);
    await sleep(1_000);
    await engine.kill();
    const queued = await execute(quick); // submitted while the engine is down: waits, then runs in a fresh container
    await sleep(8_000); // the quick notebook ends while the engine is down
    await engine.start();
    const done = await finished([...ids, queued]);
    const byId = new Map(done.map((r) => [r.id, r]));
    expect(byId.get(ids[0])).toMatchObject({ status: 'COMPLETED' }); // the whole row (its messages) when it fails
    expect(byId.get(ids[1])!).toMatchObject({ status: 'FAILED', result: expect.objectContaining({ infrastructureFailure: true }) });
    expect(byId.get(ids[1])!.messages.join('\n')).toMatch(/while the notebook was running; the run was not retried/);
    expect(byId.get(queued)!.status).toBe('COMPLETED');
    // Cut off too, but it asked for retries: run again in a fresh container, and completed.
    expect(byId.get(ids[2])!).toMatchObject({ status: 'COMPLETED', messages: expect.arrayContaining([expect.stringMatching(/will retry \(retryOnInfrastructureFailure\)/)]) });
    expect(attempts(byId.get(ids[2])!)).toBe(2);
    expect(done.every((r) => !r.messages.join('\n').includes('409'))).toBe(true);
    await strays();
  }, 240_000);

  it('Redis killed and restarted empty under load: every run still completes, each once, soon after Redis returns', async () => {
    const itemId = await addNotebook(printing('print(1)'));
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await execute(itemId));
    await redis.kill();
    await sleep(3_000);
    await redis.start(); // empty: the queue's jobs are gone
    const backAt = Date.now();
    const done = await finished(ids, 90_000);
    expect(Date.now() - backAt).toBeLessThan(45_000); // re-queued on reconnect, not by the minutely sweep
    expect(done.map((r) => r.status)).toEqual(ids.map(() => 'COMPLETED'));
    expect(done.every((r) => attempts(r) === 1)).toBe(true);
    await strays();
  }, 240_000);

  it('Postgres down: requests answer 503 with Retry-After within the deadline, not 500, and work again once it is back', async () => {
    await pg.stopImmediate();
    try {
      const t0 = Date.now();
      const res = await fetch(`${base}/arcgis/admin/system/jobs?f=json`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(503);
      expect(Date.now() - t0).toBeLessThan(12_000);
    } finally {
      await pg.start();
    }
    await eventually(async () => (await fetch(`${base}/arcgis/admin/system/jobs?f=json`, { headers: { Authorization: `Bearer ${token}` } })).status === 200, 30_000, 500);
  }, 120_000);

  it('Redis down: executeNotebook answers 503 within the deadline and leaves no run; a retry with the same Idempotency-Key runs once', async () => {
    const itemId = await addNotebook(printing('print(3)'));
    const key = `fault-${Date.now()}`;
    const submit = async () => {
      const res = await fetch(`${base}/arcgis/admin/notebooks/executeNotebook`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': key },
        body: new URLSearchParams({ itemId, updatePortalItem: 'false', f: 'json' }),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { jobId?: string } };
    };
    await redis.kill();
    const t0 = Date.now();
    const refused = await submit();
    expect(refused).toMatchObject({ status: 503, retryAfter: '5' });
    expect(Date.now() - t0).toBeLessThan(12_000);
    await redis.start();
    await sleep(3_000); // the clients reconnect
    const runsOfKey = () => pg.query(`SELECT id FROM runs WHERE request_key = $1`, [key]);
    expect(await runsOfKey()).toEqual([]);
    const first = await eventually(async () => {
      const r = await submit();
      return r.status === 200 && r;
    }, 30_000, 1_000);
    const again = await submit();
    expect(again.body.jobId).toBe(first.body.jobId);
    expect(await runsOfKey()).toHaveLength(1);
    const [done] = await finished([first.body.jobId!]);
    expect(done.status).toBe('COMPLETED');
  }, 120_000);

  it('worker SIGKILLed mid-run and started again: its run is FAILED (not stuck), later runs complete, no stray container', async () => {
    const slow = await addNotebook(sleeping(60));
    const quick = await addNotebook(printing('print(2)'));
    const cut = await execute(slow);
    await eventually(async () => (await rows([cut]))[0]?.status === 'PROCESSING', 90_000, 200);
    await worker.kill();
    const later = await execute(quick);
    await startWorker();
    const done = await finished([cut, later]);
    expect(done.find((r) => r.id === cut)).toMatchObject({ status: 'FAILED', messages: expect.arrayContaining([expect.stringMatching(/restarted while this run was in progress/)]) });
    expect(done.find((r) => r.id === later)!.status).toBe('COMPLETED');
    await strays();
  }, 240_000);

  it('no run is left SUBMITTED or PROCESSING at the end', async () => {
    expect(await pg.query(`SELECT id, status FROM runs WHERE status IN ('SUBMITTED','PROCESSING')`)).toEqual([]);
  });
});

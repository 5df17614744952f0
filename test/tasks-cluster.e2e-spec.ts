import { createServer } from 'node:net';
import request from 'supertest';
import { AppConfig } from '@app/config';
import { printing } from './support/notebooks';
import { AppProcess, envFor } from './support/processes';
import { TasksApi } from './support/tasks-api';
import { testConfig } from './support/test-env';
import { containersOf, eventually, sleep } from './support/worker-harness';

jest.setTimeout(600_000);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/**
 * The built api and worker apps (`npm run build`), two of each, on one Postgres and Redis: each fire happens once,
 * and a fire missed while every process was down runs once when they come back.
 */
describe('tasks on a site of several processes', () => {
  let config: AppConfig;
  let dropDb: () => Promise<void>;
  let ports: number[];
  let procs: AppProcess[] = [];
  let token: string;

  const apiUrl = (i: number) => `http://127.0.0.1:${ports[i]}`;
  const http = (i: number) => ({ http: request(apiUrl(i)) }) as never;
  const workerNames = () => [`${config.nodeName}-w1`, `${config.nodeName}-w2`];

  /** Starts two apis (one after the other: the first runs the migrations) and two workers. */
  async function startAll(): Promise<void> {
    for (const [i, port] of ports.entries()) {
      const p = AppProcess.start('api', envFor(config, { PORT: String(port), NODE_NAME: `${config.nodeName}-a${i + 1}`, PUBLIC_URL: apiUrl(i) }));
      procs.push(p);
      await p.waitFor('listening on');
    }
    for (const name of workerNames()) {
      const p = AppProcess.start('worker', envFor(config, { NODE_NAME: name }));
      procs.push(p);
      await p.waitFor('taking runs');
    }
  }

  async function killAll(): Promise<void> {
    await Promise.all(procs.map((p) => p.kill()));
    procs = [];
  }

  const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const { Client } = await import('pg');
    const c = new Client({ connectionString: config.db.url });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  };

  const setProperties = async (properties: Record<string, number>) => {
    const res = await request(apiUrl(0)).post('/arcgis/admin/system/properties/update').set('Authorization', `Bearer ${token}`).type('form').send({ properties: JSON.stringify(properties) });
    expect(res.status).toBe(200);
  };

  const addNotebook = async (i: number, nb: object) => {
    const res = await request(apiUrl(i))
      .post('/sharing/rest/content/users/admin/addItem')
      .set('Authorization', `Bearer ${token}`)
      .type('form')
      .send({ type: 'Notebook', title: 'nb', text: JSON.stringify(nb) });
    expect(res.status).toBe(200);
    return res.body.id as string;
  };

  beforeAll(async () => {
    ({ config, dropDb } = await testConfig({ HEARTBEAT_SECONDS: '1' }));
    ports = [await freePort(), await freePort()];
    await startAll();
    const res = await request(apiUrl(0)).post('/sharing/rest/generateToken').type('form').send({ username: 'admin', password: 'admin-password' });
    token = res.body.token;
    // Keep every fire's record: these tests count them all.
    await setProperties({ TaskRunHistoryCount: 10000 });
  });

  afterAll(async () => {
    await q(`UPDATE tasks SET active = false`).catch(() => undefined);
    await Promise.all(procs.map((p) => p.stop()));
    for (const name of workerNames()) {
      await eventually(async () => (await containersOf(name)).length === 0, 30_000).catch(() => undefined);
    }
    await dropDb?.();
  });

  it('two apis and two workers: over a minute of a per-second task, every fire is recorded exactly once', async () => {
    const itemId = await addNotebook(0, printing('print("tick")'));
    const start = Math.ceil(Date.now() / 1000) * 1000 + 3000;
    const end = start + 59_000;
    const taskId = await new TasksApi(http(1), token, 'admin').createOk(itemId, {
      second: '*',
      startDate: String(start),
      endDate: String(end),
      parameters: { updatePortalItem: false },
    });
    // The last fire is at `end`; after it the task has no fire left.
    await eventually(async () => (await q<{ task_state: string }>(`SELECT task_state FROM tasks WHERE id = $1`, [taskId]))[0].task_state === 'completed', 120_000, 500);
    await eventually(async () => (await q(`SELECT 1 FROM task_runs WHERE task_id = $1 AND status IN ('scheduled','executing')`, [taskId])).length === 0, 60_000, 500);

    const rows = await q<{ scheduled_for: Date; status: string; run_id: string | null }>(
      `SELECT scheduled_for, status, run_id FROM task_runs WHERE task_id = $1 ORDER BY scheduled_for`,
      [taskId],
    );
    const expected = Array.from({ length: 60 }, (_, i) => new Date(start + i * 1000).toISOString());
    // One record per scheduled second: none missing, none twice (the unique constraint would refuse a second one anyway).
    expect(rows.map((r) => r.scheduled_for.toISOString())).toEqual(expected);
    const started = rows.filter((r) => r.run_id);
    expect(started.length).toBeGreaterThan(5);
    expect(rows.filter((r) => !r.run_id).every((r) => r.status === 'skipped')).toBe(true);
    // Each started fire is exactly one run, and every run of the task belongs to one fire.
    const runs = await q<{ id: string; status: string; node_name: string }>(`SELECT id, status, node_name FROM runs WHERE task_id = $1`, [taskId]);
    expect(runs.map((r) => r.id).sort()).toEqual(started.map((r) => r.run_id).sort());
    expect(runs.every((r) => r.status === 'COMPLETED')).toBe(true);
    expect(new Set(started.map((r) => r.run_id)).size).toBe(started.length);
    expect(started.every((r) => r.status === 'succeeded')).toBe(true);
  });

  it('every process stopped across a fire: on restart the missed fire runs once (within the grace window); older misses are recorded skipped', async () => {
    await setProperties({ MissedFireGraceSeconds: 20 });
    const itemId = await addNotebook(0, printing('print("recovered")'));
    const tasksApi = new TasksApi(http(0), token, 'admin');
    const at = (ms: number) => {
      const d = new Date(ms);
      return { second: String(d.getUTCSeconds()), minute: String(d.getUTCMinutes()), hour: String(d.getUTCHours()), dayOfMonth: '*', month: '*', dayOfWeek: '?' };
    };
    const t0 = Math.ceil((Date.now() + 5000) / 2000) * 2000; // an even second; everything stops just before it
    const restartAt = t0 + 28_000;
    // A: one fire during the downtime, 4 s before the restart: within the grace window, runs once.
    const a = await tasksApi.createOk(itemId, { ...at(t0 + 24_000), parameters: { updatePortalItem: false } });
    // B: one fire early in the downtime, 26 s before the restart: beyond the grace window, recorded as missed.
    const b = await tasksApi.createOk(itemId, { ...at(t0 + 2_000), parameters: { updatePortalItem: false } });
    // C: every 2 s during the downtime only: runs once for the latest fire, not once per missed fire.
    const c = await tasksApi.createOk(itemId, { second: '*/2', startDate: String(t0 + 1000), endDate: String(t0 + 20_000), parameters: { updatePortalItem: false } });

    while (Date.now() < t0 - 1500) await sleep(100);
    await killAll();
    while (Date.now() < restartAt) await sleep(100);
    await startAll();

    const runsOf = (id: string) =>
      q<{ scheduled_for: Date; status: string; run_id: string | null; result: string }>(
        `SELECT scheduled_for, status, run_id, result FROM task_runs WHERE task_id = $1 ORDER BY scheduled_for`,
        [id],
      );
    await eventually(async () => {
      const [ra, rc] = [await runsOf(a), await runsOf(c)];
      return ra.length === 1 && ra[0].status === 'succeeded' && rc.some((r) => r.status === 'succeeded');
    }, 120_000, 500);
    await eventually(async () => (await runsOf(b)).length === 1, 30_000, 500);
    await sleep(3000); // nothing more arrives for these fires

    const ra = await runsOf(a);
    expect(ra).toHaveLength(1);
    expect(ra[0]).toMatchObject({ scheduled_for: new Date(t0 + 24_000), status: 'succeeded', run_id: expect.any(String) });
    expect(await q(`SELECT id FROM runs WHERE task_id = $1`, [a])).toHaveLength(1);

    const rb = await runsOf(b);
    expect(rb).toEqual([{ scheduled_for: new Date(t0 + 2_000), status: 'skipped', run_id: null, result: expect.stringMatching(/^Missed/) }]);
    expect(await q(`SELECT id FROM runs WHERE task_id = $1`, [b])).toHaveLength(0);

    const rc = await runsOf(c);
    const fires = Array.from({ length: 10 }, (_, i) => new Date(t0 + 2000 + i * 2000).toISOString()).filter((f) => Date.parse(f) <= t0 + 20_000);
    expect(rc.map((r) => r.scheduled_for.toISOString())).toEqual(fires);
    expect(rc.filter((r) => r.run_id)).toHaveLength(1);
    expect(rc[rc.length - 1]).toMatchObject({ status: 'succeeded' });
    expect(rc.slice(0, -1).every((r) => r.status === 'skipped' && /^Missed/.test(r.result))).toBe(true);
    expect(await q(`SELECT id FROM runs WHERE task_id = $1`, [c])).toHaveLength(1);
  });

  it('one api and one worker killed (SIGKILL) during per-second fires: no fire missed or doubled, no run lost or stuck', async () => {
    const itemId = await addNotebook(0, printing('import time\ntime.sleep(0.5)\nprint("tick")'));
    const start = Math.ceil(Date.now() / 1000) * 1000 + 3000;
    const end = start + 29_000;
    const taskId = await new TasksApi(http(0), token, 'admin').createOk(itemId, {
      second: '*',
      startDate: String(start),
      endDate: String(end),
      parameters: { updatePortalItem: false },
    });
    while (Date.now() < start + 10_000) await sleep(100);
    const [, api1, , worker2] = procs;
    await Promise.all([api1.kill(), worker2.kill()]);

    await eventually(async () => (await q<{ task_state: string }>(`SELECT task_state FROM tasks WHERE id = $1`, [taskId]))[0].task_state === 'completed', 120_000, 500);
    // Runs the killed worker had in progress are failed once it has been silent for 6 beats.
    await eventually(async () => (await q(`SELECT 1 FROM runs WHERE task_id = $1 AND status IN ('SUBMITTED','PROCESSING')`, [taskId])).length === 0, 90_000, 500);
    await eventually(async () => (await q(`SELECT 1 FROM task_runs WHERE task_id = $1 AND status IN ('scheduled','executing')`, [taskId])).length === 0, 60_000, 500);

    const rows = await q<{ scheduled_for: Date; status: string; run_id: string | null }>(
      `SELECT scheduled_for, status, run_id FROM task_runs WHERE task_id = $1 ORDER BY scheduled_for`,
      [taskId],
    );
    expect(rows.map((r) => r.scheduled_for.toISOString())).toEqual(Array.from({ length: 30 }, (_, i) => new Date(start + i * 1000).toISOString()));
    const runs = await q<{ id: string; status: string; messages: string[] }>(`SELECT id, status, messages FROM runs WHERE task_id = $1`, [taskId]);
    const started = rows.filter((r) => r.run_id);
    expect(runs.map((r) => r.id).sort()).toEqual(started.map((r) => r.run_id).sort()); // one run per started fire, none lost
    expect(runs.some((r) => r.status === 'COMPLETED')).toBe(true);
    for (const r of runs.filter((x) => x.status !== 'COMPLETED')) expect(r.messages.join('\n')).toMatch(/stopped responding while this run was in progress/);

    // Bring the site back for whatever runs next.
    procs = procs.filter((p) => p !== api1 && p !== worker2);
    const again = [AppProcess.start('api', envFor(config, { PORT: String(ports[1]), NODE_NAME: `${config.nodeName}-a2`, PUBLIC_URL: apiUrl(1) })), AppProcess.start('worker', envFor(config, { NODE_NAME: workerNames()[1] }))];
    procs.push(...again);
    await again[0].waitFor('listening on');
    await again[1].waitFor('taking runs', 60_000);
  });
});

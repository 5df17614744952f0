import { INestApplicationContext } from '@nestjs/common';
import { ApiHarness } from './support/api-harness';
import { parameterized, printing, raising, sleeping } from './support/notebooks';
import { TasksApi } from './support/tasks-api';
import { containersOf, eventually, sleep, startWorker } from './support/worker-harness';

jest.setTimeout(300_000);

/** Scheduled tasks through the api, fired by the schedulers of the api and the worker, run in real containers. */
describe('scheduled notebook tasks (Postgres, Redis, BullMQ, Docker)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let admin: string;
  let tasks: TasksApi;

  beforeAll(async () => {
    h = await ApiHarness.start({ HEARTBEAT_SECONDS: '1' });
    worker = await startWorker(h.config);
    admin = await h.token();
    tasks = new TasksApi(h, admin, 'admin');
  });

  afterAll(async () => {
    // Stop every task first so nothing new starts while the worker drains.
    await h?.ds.query(`UPDATE tasks SET active = false`).catch(() => undefined);
    await worker?.close();
    await h?.stop();
  });

  const setProperties = async (properties: Record<string, number>) => {
    const res = await h.http
      .post('/arcgis/admin/system/properties/update')
      .set('Authorization', `Bearer ${admin}`)
      .type('form')
      .send({ properties: JSON.stringify(properties) });
    expect(res.status).toBe(200);
  };

  const count = async (sql: string, params: unknown[] = []) => (await h.ds.query(sql, params))[0].n as number;

  it('a task every 3 seconds with parameters fires on its seconds, runs in a container, and lists succeeded runs with a snapshot', async () => {
    const itemId = await h.addNotebook(admin, 'admin', parameterized());
    const taskId = await tasks.createOk(itemId, {
      title: 'every 3 s',
      second: '*/3',
      parameters: { updatePortalItem: false, notebookParameters: JSON.stringify({ greeting: 'from a task', count: 5 }) },
    });
    const succeeded = await eventually(async () => (await tasks.runs(taskId)).find((r) => r.status === 'succeeded'), 90_000);
    await tasks.post(taskId, 'disable');
    // Fired at a time the schedule names.
    expect(succeeded.scheduledTime % 3000).toBe(0);
    expect(succeeded.jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(succeeded.snapshotUrl).toMatch(new RegExp(`/arcgis/admin/system/jobs/${succeeded.jobId}/snapshot$`));
    const html = await h.http.get(new URL(succeeded.snapshotUrl!).pathname).set('Authorization', `Bearer ${admin}`);
    expect(html.status).toBe(200);
    expect(html.text).toContain('from a task x5');
    // The run went through the execution engine as a task run, with the task's parameters.
    const job = (await h.http.get(`/arcgis/admin/system/jobs/${succeeded.jobId}`).set('Authorization', `Bearer ${admin}`)).body;
    expect(job).toMatchObject({ status: 'COMPLETED', trigger: 'task', inputs: { notebookParameters: { greeting: 'from a task', count: 5 }, updatePortalItem: false } });
    expect(job.messages.join('\n')).toMatch(/Executing on/);
    const one = await tasks.run(taskId, succeeded.runId);
    expect(one.body).toMatchObject({ runId: succeeded.runId, status: 'succeeded', jobId: succeeded.jobId });
    const task = (await tasks.get(taskId)).body;
    expect(task).toMatchObject({
      id: taskId,
      itemId,
      type: 'ExecuteNotebook',
      title: 'every 3 s',
      userId: 'admin',
      cronSchedule: { second: '*/3', minute: '*', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '?' },
      runIntervalSeconds: 3,
      parameters: { updatePortalItem: false, saveInjectedParameters: false, notebookParameters: JSON.stringify({ greeting: 'from a task', count: 5 }) },
      active: false,
      taskState: 'inactive',
    });
    expect(task.lastStart).toEqual(expect.any(Number));
    expect(task.occurrences).toBeGreaterThanOrEqual(1);

    // Deleting one run deletes its job and snapshot; deleting the task deletes the rest.
    await eventually(async () => (await count(`SELECT count(*)::int AS n FROM runs WHERE task_id = $1 AND status IN ('SUBMITTED','PROCESSING')`, [taskId])) === 0, 60_000);
    expect((await tasks.deleteRun(taskId, succeeded.runId)).body).toEqual({ success: true, runId: succeeded.runId });
    expect((await tasks.run(taskId, succeeded.runId)).status).toBe(404);
    expect(await count(`SELECT count(*)::int AS n FROM runs WHERE id = $1`, [succeeded.jobId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM run_artifacts WHERE run_id = $1`, [succeeded.jobId])).toBe(0);
    const jobIds = (await h.ds.query(`SELECT id FROM runs WHERE task_id = $1`, [taskId])).map((r: { id: string }) => r.id);
    expect((await tasks.post(taskId, 'delete')).body).toEqual({ success: true, taskId });
    expect(await count(`SELECT count(*)::int AS n FROM runs WHERE task_id = $1`, [taskId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM run_artifacts WHERE run_id = ANY($1)`, [jobIds])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM task_runs WHERE task_id = $1`, [taskId])).toBe(0);
  });

  it('a notebook that outlasts the interval: later fires are skipped, never two containers for the task at once', async () => {
    const itemId = await h.addNotebook(admin, 'admin', sleeping(7));
    const taskId = await tasks.createOk(itemId, { second: '*/2', parameters: { updatePortalItem: false } });
    let most = 0;
    await eventually(
      async () => {
        most = Math.max(most, (await containersOf(h.config.nodeName, 'run')).length);
        const runs = await tasks.runs(taskId);
        return runs.filter((r) => r.status === 'skipped').length >= 4 && runs.some((r) => r.status === 'succeeded');
      },
      90_000,
      100,
    );
    await tasks.post(taskId, 'disable');
    expect(most).toBe(1);
    const runs = await tasks.runs(taskId);
    expect(runs.find((r) => r.status === 'skipped')!.result).toMatch(/previous run \(job [0-9a-f]{32}\) was still in progress/);
    expect(runs.filter((r) => r.status === 'skipped').every((r) => r.jobId === null)).toBe(true);
    // Runs of the task never overlapped: each one started after the previous one ended.
    const jobs: Array<{ started_at: Date; finished_at: Date | null }> = await h.ds.query(
      `SELECT started_at, finished_at FROM runs WHERE task_id = $1 AND started_at IS NOT NULL ORDER BY started_at`,
      [taskId],
    );
    for (let i = 1; i < jobs.length; i++) expect(jobs[i].started_at.getTime()).toBeGreaterThanOrEqual(jobs[i - 1].finished_at!.getTime());
    await eventually(async () => (await containersOf(h.config.nodeName, 'run')).length === 0, 30_000);
  });

  it('a notebook that always raises: disabled after exactly 5 failed runs, with a reason, and fires no more', async () => {
    // Keep every record (skipped fires too) so the failures can be counted.
    await setProperties({ TaskRunHistoryCount: 1000 });
    const itemId = await h.addNotebook(admin, 'admin', raising());
    const taskId = await tasks.createOk(itemId, { second: '*', parameters: { updatePortalItem: false } });
    const task = await eventually(async () => {
      const t = (await tasks.get(taskId)).body;
      return t.taskState === 'disabled' ? t : null;
    }, 120_000);
    expect(task.active).toBe(false);
    expect(task.nextStart).toBeNull();
    expect(task.disabledReason).toMatch(/Disabled after 5 consecutive failed runs.*ValueError: boom in cell/);
    const rowsThen = await count(`SELECT count(*)::int AS n FROM task_runs WHERE task_id = $1`, [taskId]);
    await sleep(4000);
    const runs = await tasks.runs(taskId);
    expect(runs).toHaveLength(rowsThen);
    expect(runs.filter((r) => r.status === 'failed')).toHaveLength(5);
    expect(await count(`SELECT count(*)::int AS n FROM runs WHERE task_id = $1`, [taskId])).toBe(5);
    expect(runs.find((r) => r.status === 'failed')!.result).toMatch(/ValueError: boom in cell/);

    // Enabling resets the count: it fails five more times before it is disabled again.
    expect((await tasks.post(taskId, 'enable')).body).toEqual({ success: true, taskId });
    expect((await tasks.get(taskId)).body).toMatchObject({ active: true, taskState: 'active' });
    expect((await tasks.get(taskId)).body.disabledReason).toBeUndefined();
    await eventually(async () => (await tasks.get(taskId)).body.taskState === 'disabled', 120_000);
    expect((await tasks.runs(taskId)).filter((r) => r.status === 'failed')).toHaveLength(10);
    await setProperties({ TaskRunHistoryCount: 30 });
  });

  it('with TaskRunHistoryCount = 3, after 5 runs only the newest 3 runs and their artifacts remain', async () => {
    await setProperties({ TaskRunHistoryCount: 3 });
    try {
      const itemId = await h.addNotebook(admin, 'admin', printing('print("kept?")'));
      // Every 5 seconds: normally each run ends before the next fire (a slow machine may skip some; those count too).
      const taskId = await tasks.createOk(itemId, { second: '*/5', parameters: { updatePortalItem: false } });
      const runsSeen = new Set<string>();
      const firesSeen = new Map<string, number>();
      const look = async () => {
        for (const r of await h.ds.query(`SELECT id FROM runs WHERE task_id = $1`, [taskId])) runsSeen.add(r.id);
        for (const r of await h.ds.query(`SELECT id, scheduled_for FROM task_runs WHERE task_id = $1`, [taskId])) firesSeen.set(r.id, r.scheduled_for.getTime());
      };
      await eventually(
        async () => {
          await look();
          return runsSeen.size >= 5;
        },
        120_000,
        100,
      );
      await tasks.post(taskId, 'disable');
      const kept = await eventually(async () => {
        await look();
        const rows: Array<{ id: string; run_id: string | null; status: string }> = await h.ds.query(
          `SELECT id, run_id, status FROM task_runs WHERE task_id = $1 ORDER BY scheduled_for DESC`,
          [taskId],
        );
        return rows.length === 3 && rows.every((r) => !['scheduled', 'executing'].includes(r.status)) ? rows : null;
      }, 60_000);
      // The three kept are the newest three fires ever recorded.
      const newest = [...firesSeen.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([id]) => id);
      expect(kept.map((r) => r.id)).toEqual(newest);
      // Only their runs remain, each with its artifacts; the older runs went with their artifacts.
      const runIds = (await h.ds.query(`SELECT id FROM runs WHERE task_id = $1`, [taskId])).map((r: { id: string }) => r.id).sort();
      expect(runIds).toEqual(kept.filter((r) => r.run_id).map((r) => r.run_id).sort());
      expect(runIds.length).toBeGreaterThanOrEqual(1);
      const artifacts = (await h.ds.query(`SELECT run_id FROM run_artifacts WHERE run_id = ANY($1)`, [[...runsSeen]])).map((r: { run_id: string }) => r.run_id).sort();
      expect(artifacts).toEqual(runIds);
      expect(runsSeen.size - runIds.length).toBeGreaterThanOrEqual(2);
      expect((await tasks.runs(taskId)).map((r) => r.runId)).toEqual(newest);
    } finally {
      await setProperties({ TaskRunHistoryCount: 30 });
    }
  });
});

import { INestApplicationContext } from '@nestjs/common';
import { ApiHarness } from './support/api-harness';
import { parameterized, printing, raising, sleeping } from './support/notebooks';
import { TaskRunJson, TasksApi } from './support/tasks-api';
import { eventually, startWorker } from './support/worker-harness';

jest.setTimeout(300_000);

const yearly = { second: '0', minute: '0', hour: '0', dayOfMonth: '1', month: '1', dayOfWeek: '?' };

/** Run now and retries, through the api, run by a worker in real containers (Postgres, Redis, BullMQ, Docker). */
describe('run now and retries of tasks', () => {
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
    await h?.ds.query(`UPDATE tasks SET active = false`).catch(() => undefined);
    await worker?.close();
    await h?.stop();
  });

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const job = async (id: string) => (await h.http.get(`/arcgis/admin/system/jobs/${id}`).set(auth())).body;
  const taskOf = async (id: string) => (await tasks.get(id)).body;
  const byTime = (rs: TaskRunJson[]) => [...rs].sort((a, b) => a.scheduledTime - b.scheduledTime);
  const setNotebook = async (itemId: string, notebook: object) => {
    const res = await h.http
      .post(`/sharing/rest/content/users/admin/items/${itemId}/update`)
      .set(auth())
      .type('form')
      .send({ text: JSON.stringify(notebook), f: 'json' });
    expect(res.status).toBe(200);
  };

  it('run now fires the task at once as a manual run, with overridden parameters, and refuses while it runs', async () => {
    const itemId = await h.addNotebook(admin, 'admin', parameterized());
    const taskId = await tasks.createOk(itemId, { ...yearly, parameters: { updatePortalItem: false, notebookParameters: { greeting: 'scheduled', count: 2 } } });
    const res = await tasks.runNow(taskId, { parameters: JSON.stringify({ notebookParameters: { greeting: 'by hand' } }) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, taskId, runId: expect.stringMatching(/^[0-9a-f]{32}$/), jobId: expect.stringMatching(/^[0-9a-f]{32}$/), jobUrl: expect.any(String) });
    // The previous run is still open: a second run now is refused, and nothing is recorded.
    const again = await tasks.runNow(taskId);
    expect(again.status).toBe(409);
    expect(again.body.error.messageCode).toBe('TASK_RUN_IN_PROGRESS');
    const run = await eventually(async () => (await tasks.runs(taskId)).find((r) => r.runId === res.body.runId && r.status === 'succeeded'), 120_000);
    expect(run).toMatchObject({ trigger: 'manual', attempt: 1, retryOf: null, jobId: res.body.jobId });
    expect(await tasks.runs(taskId)).toHaveLength(1);
    const j = await job(res.body.jobId);
    // notebookParameters merge key by key over the task's.
    expect(j).toMatchObject({ trigger: 'manual', status: 'COMPLETED', inputs: { notebookParameters: { greeting: 'by hand', count: 2 } } });
    const html = await h.http.get(new URL(run.snapshotUrl!).pathname).set(auth());
    expect(html.text).toContain('by hand x2');
    // The task itself is unchanged, and its schedule too.
    expect(await taskOf(taskId)).toMatchObject({ parameters: { notebookParameters: { greeting: 'scheduled', count: 2 } }, occurrences: 0, taskState: 'active' });
  });

  it("a run of a task takes its runtime and retryOnInfrastructureFailure from the task's parameters, retries too", async () => {
    const itemId = await h.addNotebook(admin, 'admin', raising());
    const parameters = { updatePortalItem: false, runtime: 'default', retryOnInfrastructureFailure: true };
    const taskId = await tasks.createOk(itemId, { ...yearly, maxRetries: '1', retryDelaySeconds: '0', parameters });
    expect((await taskOf(taskId)).parameters).toMatchObject({ runtime: 'default', retryOnInfrastructureFailure: true });
    const first = (await tasks.runNow(taskId)).body;
    const runs = await eventually(async () => {
      const rs = await tasks.runs(taskId);
      return rs.length === 2 && rs.every((r) => r.status === 'failed') ? rs : null;
    }, 120_000);
    const [{ id: runtime }] = await h.ds.query(`SELECT id FROM runtimes WHERE name = 'default'`);
    const rows = await h.ds.query(`SELECT runtime, retry_on_infrastructure_failure AS retry FROM runs WHERE id = ANY($1)`, [runs.map((r) => r.jobId)]);
    expect(rows).toEqual([
      { runtime, retry: true },
      { runtime, retry: true },
    ]);
    expect(runs.map((r) => r.jobId)).toContain(first.jobId);
  });

  it('run now: bad overrides are a 400, other users get 403/404, an unknown task 404', async () => {
    const itemId = await h.addNotebook(admin, 'admin', parameterized());
    const taskId = await tasks.createOk(itemId, yearly);
    const bad = await tasks.runNow(taskId, { parameters: JSON.stringify({ notebookParameters: { 'not valid': 1 } }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not valid/);
    expect((await tasks.runNow(taskId, { parameters: '{nope' })).status).toBe(400);
    expect((await tasks.runNow('0'.repeat(32))).status).toBe(404);
    const dave = await h.user('dave', 'org_user', { privileges: 'scheduleNotebooks' });
    expect((await new TasksApi(h, dave, 'admin').runNow(taskId)).status).toBe(403);
    expect((await new TasksApi(h, dave, 'dave').runNow(taskId)).status).toBe(404);
    expect(await tasks.runs(taskId)).toHaveLength(0);
  });

  it('a run that fails twice and then succeeds: three attempts linked by retryOf, with back-off, counted as one success', async () => {
    const itemId = await h.addNotebook(admin, 'admin', raising());
    const taskId = await tasks.createOk(itemId, { ...yearly, maxRetries: 3, retryDelaySeconds: 2, parameters: { updatePortalItem: false } });
    expect(await taskOf(taskId)).toMatchObject({ maxRetries: 3, retryDelaySeconds: 2 });
    const first = (await tasks.runNow(taskId)).body;
    // After the second failure the notebook is fixed, during the 4 s pause before the third attempt.
    await eventually(async () => (await tasks.runs(taskId)).filter((r) => r.status === 'failed').length === 2, 120_000, 100);
    await setNotebook(itemId, printing('print("fixed")'));
    const runs = byTime(await eventually(async () => {
      const rs = await tasks.runs(taskId);
      return rs.some((r) => r.status === 'succeeded') && rs;
    }, 120_000));
    expect(runs.map((r) => [r.attempt, r.status, r.trigger])).toEqual([
      [1, 'failed', 'manual'],
      [2, 'failed', 'manual'],
      [3, 'succeeded', 'manual'],
    ]);
    expect(runs[0]).toMatchObject({ runId: first.runId, retryOf: null });
    expect(runs[1].retryOf).toBe(runs[0].runId);
    expect(runs[2].retryOf).toBe(runs[1].runId);
    expect(runs[0].result).toMatch(/ValueError: boom in cell.*Retrying in 2 s \(attempt 2 of 4\)/);
    expect(runs[1].result).toMatch(/Retrying in 4 s \(attempt 3 of 4\)/);
    // Back-off: the retries were due 2 s and then 4 s after the failures they retry.
    expect(runs[2].scheduledTime - runs[1].scheduledTime).toBeGreaterThanOrEqual(4000);
    const [j1, j2] = [await job(runs[0].jobId!), await job(runs[1].jobId!)];
    expect(runs[1].scheduledTime - j1.endTime).toBeGreaterThanOrEqual(1900);
    expect(j2.messages.join('\n')).toMatch(new RegExp(`Attempt 2 of 4: retries job ${runs[0].jobId}`));
    const rows = await h.ds.query(`SELECT consecutive_failures FROM tasks WHERE id = $1`, [taskId]);
    expect(rows[0].consecutive_failures).toBe(0);
  });

  it('only the last attempt of a fire counts towards disabling; a pending retry makes the next fires skip', async () => {
    const props = await h.http.post('/arcgis/admin/system/properties/update').set(auth()).type('form').send({ properties: JSON.stringify({ FailedRunsToDisableTask: 2 }) });
    expect(props.status).toBe(200);
    const itemId = await h.addNotebook(admin, 'admin', raising());
    const taskId = await tasks.createOk(itemId, { second: '*', minute: '*', hour: '*', maxRetries: 1, retryDelaySeconds: 3, parameters: { updatePortalItem: false } });
    const disabled = await eventually(async () => {
      const t = await taskOf(taskId);
      return t.taskState === 'disabled' && t;
    }, 180_000);
    expect(disabled.disabledReason).toMatch(/after 2 consecutive failed runs/);
    const runs = byTime(await tasks.runs(taskId));
    const attempts = runs.filter((r) => r.status === 'failed').map((r) => r.attempt);
    // Two fires, each tried twice: four failed attempts before the task was disabled at two failures.
    expect(attempts).toEqual([1, 2, 1, 2]);
    // While the first fire's retry waited, the fires of every second were skipped.
    const retry = runs.find((r) => r.attempt === 2)!;
    const skippedMeanwhile = runs.filter((r) => r.status === 'skipped' && r.scheduledTime < retry.scheduledTime && /still in progress/.test(r.result));
    expect(skippedMeanwhile.length).toBeGreaterThanOrEqual(1);
    await h.http.post('/arcgis/admin/system/properties/update').set(auth()).type('form').send({ properties: JSON.stringify({ FailedRunsToDisableTask: 5 }) });
  });

  it('a cancelled run is not retried', async () => {
    const itemId = await h.addNotebook(admin, 'admin', sleeping(60));
    const taskId = await tasks.createOk(itemId, { ...yearly, maxRetries: 2, retryDelaySeconds: 0, parameters: { updatePortalItem: false } });
    const { jobId } = (await tasks.runNow(taskId)).body;
    await eventually(async () => (await job(jobId)).status === 'PROCESSING', 120_000);
    expect((await h.http.post(`/arcgis/admin/system/jobs/${jobId}/cancel`).set(auth())).status).toBe(200);
    await eventually(async () => (await tasks.runs(taskId)).find((r) => r.status === 'failed'), 120_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await tasks.runs(taskId)).map((r) => [r.attempt, r.status])).toEqual([[1, 'failed']]);
  });
});

import { ApiHarness } from './support/api-harness';
import { parameterized } from './support/notebooks';
import { TasksApi } from './support/tasks-api';

/** The tasks API on its own: shapes, validation, permissions, limits, and tasks following their notebook. No fire is due here. */
describe('tasks API', () => {
  let h: ApiHarness;
  let admin: string;
  let asAdmin: TasksApi;
  // Yearly at midnight on 1 January: never due while these tests run.
  const yearly = { second: undefined, minute: '0', hour: '0', dayOfMonth: '1', month: 'JAN', dayOfWeek: '?' };

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
    asAdmin = new TasksApi(h, admin, 'admin');
  });

  afterAll(async () => {
    await h?.stop();
  });

  const setProperties = async (properties: Record<string, number>) => {
    const res = await h.http.post('/arcgis/admin/system/properties/update').set('Authorization', `Bearer ${admin}`).type('form').send({ properties: JSON.stringify(properties) });
    expect(res.status).toBe(200);
  };

  it('creates a task and returns it in the documented shape', async () => {
    const itemId = await h.addNotebook(admin, 'admin', parameterized());
    const params = { updatePortalItem: true, saveInjectedParameters: false, notebookParameters: '{"count": 2}', executionTimeoutInMinutes: 5 };
    const res = await asAdmin.create(itemId, { ...yearly, title: 'New year', dayOfWeek: '?', maxOccurences: '3', parameters: params, timeZone: 'America/New_York' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, taskId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const t = (await asAdmin.get(res.body.taskId)).body;
    expect(t).toEqual({
      id: res.body.taskId,
      itemId,
      type: 'ExecuteNotebook',
      title: 'New year',
      userId: 'admin',
      cronSchedule: { minute: '0', hour: '0', dayOfMonth: '1', month: 'JAN', dayOfWeek: '?', timeZone: 'America/New_York' },
      runIntervalSeconds: expect.any(Number),
      lastStart: null,
      nextStart: expect.any(Number),
      maxOccurrences: 3,
      occurrences: 0,
      parameters: params,
      created: expect.any(Number),
      updated: expect.any(Number),
      startDate: null,
      endDate: null,
      active: true,
      taskState: 'active',
      maxRetries: 0,
      retryDelaySeconds: 60,
      notifications: null,
      lastNotification: null,
    });
    // Midnight of 1 January in New York is 05:00 UTC.
    expect(new Date(t.nextStart).toISOString()).toMatch(/-01-01T05:00:00.000Z$/);
    const list = (await asAdmin.list({ itemId })).body;
    expect(list).toMatchObject({ total: 1, start: 1, num: 10, nextStart: -1, activeTasksAvailable: expect.any(Number), tasks: [{ id: res.body.taskId }] });
    expect((await asAdmin.runs(res.body.taskId))).toEqual([]);
  });

  it('accepts a JSON body and cron fields as numbers', async () => {
    const itemId = await h.addNotebook(admin, 'admin', parameterized());
    const res = await h.http
      .post('/sharing/rest/community/users/admin/tasks/createTask')
      .set('Authorization', `Bearer ${admin}`)
      .send({ title: 'json', itemId, minute: 0, hour: 0, dayOfMonth: 1, month: 1, dayOfWeek: '?', parameters: { notebookParameters: { count: 1 } } });
    expect(res.status).toBe(200);
    expect((await asAdmin.get(res.body.taskId)).body.parameters.notebookParameters).toEqual({ count: 1 });
  });

  describe('refuses bad input with a 400 naming the problem', () => {
    it.each<[string, Record<string, unknown>, RegExp]>([
      ['an unsupported documented type', { type: 'UpdateInsightsWorkbook' }, /type: 'UpdateInsightsWorkbook' tasks are not supported by this server; only 'ExecuteNotebook'/],
      ['an unknown type', { type: 'Nope' }, /type: 'Nope' is not a task type/],
      ['a missing cron field', { minute: undefined }, /minute/],
      ['a minute out of range', { minute: '61' }, /Invalid schedule: minute: .*61/],
      ['W with a day of week', { dayOfMonth: '15W', dayOfWeek: 'MON' }, /Invalid schedule: dayOfWeek: must be \?/],
      ['a bad month name', { month: 'FOO' }, /Invalid schedule: month: 'FOO'/],
      ['an unknown time zone', { timeZone: 'Mars/Olympus' }, /Invalid schedule: timeZone: 'Mars\/Olympus' is not an IANA time zone/],
      ['notebookParameters that are not an object', { parameters: { notebookParameters: '[1]' } }, /parameters.notebookParameters/],
      ['a bad parameter name', { parameters: { notebookParameters: { 'not valid': 1 } } }, /not valid: not a valid Python variable name/],
      ['parameters that are not JSON', { parameters: '{nope' }, /parameters: must be valid JSON/],
      ['maxOccurrences of 0', { maxOccurrences: '0' }, /maxOccurrences: must be at least 1/],
      ['maxRetries of 11', { maxRetries: '11' }, /maxRetries: must be 0 to 10/],
      ['a negative retryDelaySeconds', { retryDelaySeconds: '-1' }, /retryDelaySeconds: must be 0 or more seconds/],
      ['an end before the start', { startDate: '2000', endDate: '1000' }, /endDate: must be after startDate/],
      ['no fire left before the end date', { endDate: String(Date.UTC(2001, 0, 1)) }, /no fire time left/],
    ])('%s', async (_, fields, message) => {
      const itemId = await h.addNotebook(admin, 'admin', parameterized());
      const res = await asAdmin.create(itemId, { ...yearly, ...fields });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect((await asAdmin.list({ itemId })).body.total).toBe(0);
    });
  });

  it('owners see and change their own tasks; others cannot; creating needs scheduleNotebooks', async () => {
    const aliceToken = await h.user('alice', 'org_user', { privileges: 'premium:user:scheduleNotebooks' });
    const bobToken = await h.user('bob', 'org_user', { privileges: 'createNotebooks' });
    const alice = new TasksApi(h, aliceToken, 'alice');
    const itemId = await h.addNotebook(aliceToken, 'alice', parameterized());
    const taskId = await alice.createOk(itemId, yearly);
    expect((await alice.get(taskId)).body.userId).toBe('alice');
    // Bob has no privilege, and cannot see Alice's tasks.
    const bobItem = await h.addNotebook(bobToken, 'bob', parameterized());
    expect((await new TasksApi(h, bobToken, 'bob').create(bobItem, yearly)).status).toBe(403);
    expect((await new TasksApi(h, bobToken, 'alice').list()).status).toBe(403);
    expect((await new TasksApi(h, bobToken, 'alice').get(taskId)).status).toBe(403);
    expect((await new TasksApi(h, bobToken, 'bob').get(taskId)).status).toBe(404);
    // Alice cannot schedule Bob's notebook.
    expect((await alice.create(bobItem, yearly)).status).toBe(404);
    // An administrator sees and changes everyone's.
    const asAdminForAlice = new TasksApi(h, admin, 'alice');
    expect((await asAdminForAlice.list()).body.tasks.map((t: { id: string }) => t.id)).toEqual([taskId]);
    expect((await asAdminForAlice.post(taskId, 'update', { title: 'renamed', minute: '5' })).body).toEqual({ success: true, taskId });
    expect((await alice.get(taskId)).body).toMatchObject({ title: 'renamed', cronSchedule: { minute: '5', hour: '0' } });
  });

  it('update changes the schedule from the next fire, isActive pauses and resumes, delete removes it', async () => {
    const itemId = await h.addNotebook(admin, 'admin', parameterized());
    const taskId = await asAdmin.createOk(itemId, yearly);
    const before = (await asAdmin.get(taskId)).body;
    expect((await asAdmin.post(taskId, 'update', { hour: '6', parameters: JSON.stringify({ saveInjectedParameters: true }) })).status).toBe(200);
    const after = (await asAdmin.get(taskId)).body;
    expect(after.nextStart - before.nextStart).toBe(6 * 3600_000);
    expect(after.parameters).toMatchObject({ updatePortalItem: true, saveInjectedParameters: true });
    expect((await asAdmin.post(taskId, 'update', { isActive: 'false' })).status).toBe(200);
    expect((await asAdmin.get(taskId)).body).toMatchObject({ active: false, taskState: 'inactive', nextStart: null });
    expect((await asAdmin.list({ itemId, active: 'true' })).body.total).toBe(0);
    expect((await asAdmin.post(taskId, 'update', { isActive: 'true' })).status).toBe(200);
    expect((await asAdmin.get(taskId)).body).toMatchObject({ active: true, taskState: 'active', nextStart: after.nextStart });
    expect((await asAdmin.post(taskId, 'delete')).body).toEqual({ success: true, taskId });
    expect((await asAdmin.get(taskId)).status).toBe(404);
  });

  it('the 21st active task of one owner is refused (default limit 20); disabling one makes room', async () => {
    const ownerToken = await h.user('carol', 'org_user', { privileges: 'scheduleNotebooks' });
    const carol = new TasksApi(h, ownerToken, 'carol');
    const itemId = await h.addNotebook(ownerToken, 'carol', parameterized());
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await carol.createOk(itemId, { ...yearly, title: `t${i}` }));
    expect((await carol.list()).body.activeTasksAvailable).toBe(0);
    const refused = await carol.create(itemId, { ...yearly, title: 't21' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ messageCode: 'TASK_LIMIT_REACHED' });
    expect(refused.body.error.message).toMatch(/already has 20 active tasks.*ExecuteNotebooksUserLimit/);
    expect((await carol.list({ num: '100' })).body.total).toBe(20);

    expect((await carol.post(ids[0], 'disable')).status).toBe(200);
    expect((await carol.list()).body.activeTasksAvailable).toBe(1);
    const t21 = await carol.createOk(itemId, { ...yearly, title: 't21' });
    // Enabling past the limit is refused too.
    const enable = await carol.post(ids[0], 'enable');
    expect(enable.status).toBe(400);
    expect(enable.body.error.messageCode).toBe('TASK_LIMIT_REACHED');
    expect((await carol.post(t21, 'disable')).status).toBe(200);
    expect((await carol.post(ids[0], 'enable')).status).toBe(200);
  });

  it('the limits follow the site properties, the organization limit included', async () => {
    await setProperties({ ExecuteNotebooksUserLimit: 2, ExecuteNotebooksOrgLimit: 1000 });
    try {
      const dToken = await h.user('dave', 'org_user', { privileges: 'scheduleNotebooks' });
      const dave = new TasksApi(h, dToken, 'dave');
      const itemId = await h.addNotebook(dToken, 'dave', parameterized());
      await dave.createOk(itemId, yearly);
      await dave.createOk(itemId, yearly);
      expect((await dave.create(itemId, yearly)).body.error.message).toMatch(/already has 2 active tasks/);

      const active = (await h.ds.query(`SELECT count(*)::int AS n FROM tasks WHERE active`))[0].n;
      await setProperties({ ExecuteNotebooksUserLimit: 20, ExecuteNotebooksOrgLimit: active });
      const refused = await dave.create(itemId, yearly);
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(new RegExp(`organization already has ${active} active tasks.*ExecuteNotebooksOrgLimit`));
      expect((await dave.list()).body.activeTasksAvailable).toBe(0);
    } finally {
      await setProperties({ ExecuteNotebooksUserLimit: 20, ExecuteNotebooksOrgLimit: 200 });
    }
  });

  it('reassigning the notebook deactivates its tasks and moves them to the new owner', async () => {
    const eveToken = await h.user('eve', 'org_user', { privileges: 'scheduleNotebooks' });
    const frankToken = await h.user('frank', 'org_user', { privileges: 'scheduleNotebooks' });
    const eve = new TasksApi(h, eveToken, 'eve');
    const frank = new TasksApi(h, frankToken, 'frank');
    const itemId = await h.addNotebook(eveToken, 'eve', parameterized());
    const other = await h.addNotebook(eveToken, 'eve', parameterized());
    const t1 = await eve.createOk(itemId, yearly);
    const t2 = await eve.createOk(itemId, { ...yearly, hour: '3' });
    const kept = await eve.createOk(other, yearly);

    const res = await h.http
      .post(`/sharing/rest/content/users/eve/items/${itemId}/reassign`)
      .set('Authorization', `Bearer ${admin}`)
      .type('form')
      .send({ targetUsername: 'frank' });
    expect(res.status).toBe(200);

    expect((await eve.list()).body.tasks.map((t: { id: string }) => t.id)).toEqual([kept]);
    const moved = (await frank.list()).body.tasks;
    expect(moved.map((t: { id: string }) => t.id).sort()).toEqual([t1, t2].sort());
    for (const t of moved) expect(t).toMatchObject({ userId: 'frank', active: false, taskState: 'inactive', disabledReason: expect.stringMatching(/reassigned/) });
    expect((await eve.get(t1)).status).toBe(404);
    // The new owner resumes one.
    expect((await frank.post(t1, 'enable')).status).toBe(200);
    expect((await frank.get(t1)).body).toMatchObject({ active: true, taskState: 'active', userId: 'frank' });
    expect((await frank.get(t1)).body.disabledReason).toBeUndefined();
  });

  it('deleting the notebook deletes its tasks', async () => {
    const itemId = await h.addNotebook(admin, 'admin', parameterized());
    const taskId = await asAdmin.createOk(itemId, yearly);
    const res = await h.http.post(`/sharing/rest/content/users/admin/items/${itemId}/delete`).set('Authorization', `Bearer ${admin}`).type('form').send({});
    expect(res.status).toBe(200);
    expect((await asAdmin.get(taskId)).status).toBe(404);
    expect((await h.ds.query(`SELECT count(*)::int AS n FROM tasks WHERE id = $1`, [taskId]))[0].n).toBe(0);
  });
});

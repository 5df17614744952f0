import { randomBytes } from 'node:crypto';
import { ApiHarness } from './support/api-harness';
import { bearer, expectError, ok } from './support/rest-expect';
import { TasksApi } from './support/tasks-api';

/** Smaller gaps real clients hit: the site-wide task list, nbformat 3, jobs paging, deleteAll vs task history, org_publisher. */
describe('smaller client gaps', () => {
  let h: ApiHarness;
  let admin: string;
  const yearly = { second: undefined, minute: '0', hour: '0', dayOfMonth: '1', month: 'JAN', dayOfWeek: '?' };

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('administrators list every owner\'s tasks at /arcgis/admin/notebooks/tasks; others may not', async () => {
    const fay = await h.user('fay');
    const mine = await new TasksApi(h, admin, 'admin').createOk(await h.addNotebook(admin, 'admin'), { ...yearly, title: 'admin task' });
    const hers = await new TasksApi(h, fay, 'fay').createOk(await h.addNotebook(fay, 'fay'), { ...yearly, title: 'fay task' });
    const all = ok(await h.http.get('/arcgis/admin/notebooks/tasks').set(bearer(admin)).query({ num: 100 }));
    expect(all).toMatchObject({ total: 2, start: 1, nextStart: -1 });
    expect(all.tasks.map((t: { id: string; userId: string }) => [t.id, t.userId]).sort()).toEqual([[mine, 'admin'], [hers, 'fay']].sort());
    expectError(await h.http.get('/arcgis/admin/notebooks/tasks').set(bearer(fay)), 403);
  });

  it('accepts an nbformat 3 notebook and stores it upgraded to nbformat 4', async () => {
    const v3 = { nbformat: 3, nbformat_minor: 0, metadata: { name: 'old' }, worksheets: [{ cells: [{ cell_type: 'code', language: 'python', input: 'print(1)', outputs: [], metadata: {} }] }] };
    const id = await h.addNotebook(admin, 'admin', v3);
    const data = ok(await h.http.get(`/sharing/rest/content/items/${id}/data`).set(bearer(admin)));
    expect(data).toMatchObject({ nbformat: 4, cells: [{ cell_type: 'code', source: 'print(1)', outputs: [], execution_count: null }] });
  });

  it('pages the jobs list with start, and deleteAll keeps the runs a task\'s history links to', async () => {
    const item = await h.addNotebook(admin, 'admin');
    const jobs: string[] = [];
    for (let i = 0; i < 3; i++) {
      jobs.push(ok(await h.http.post('/arcgis/admin/notebooks/executeNotebook').set(bearer(admin)).type('form').send({ itemId: item })).jobId);
    }
    const first = ok(await h.http.get('/arcgis/admin/system/jobs').set(bearer(admin)).query({ num: 2, sortByDate: 'false' }));
    const second = ok(await h.http.get('/arcgis/admin/system/jobs').set(bearer(admin)).query({ num: 2, start: 3, sortByDate: 'false' }));
    expect(first).toMatchObject({ total: 3, start: 1, num: 2, nextStart: 3 });
    expect(second).toMatchObject({ total: 3, start: 3, nextStart: -1 });
    expect([...first.asyncJobs, ...second.asyncJobs].map((j: { jobId: string }) => j.jobId).sort()).toEqual([...jobs].sort());

    // all three finish; the first is a task's run
    await h.ds.query(`UPDATE runs SET status = 'COMPLETED', finished_at = now() WHERE id = ANY($1)`, [jobs]);
    const task = await new TasksApi(h, admin, 'admin').createOk(item, { ...yearly, title: 'history' });
    await h.ds.query(`INSERT INTO task_runs (id, task_id, scheduled_for, status, run_id, created, modified) VALUES ($1, $2, now(), 'succeeded', $3, now(), now())`, [
      randomBytes(16).toString('hex'),
      task,
      jobs[0],
    ]);
    expect(ok(await h.http.post('/arcgis/admin/system/jobs/deleteAll').set(bearer(admin)).type('form').send({}))).toEqual({ status: 'success', deleted: 2 });
    expect(ok(await h.http.get(`/arcgis/admin/system/jobs/${jobs[0]}`).set(bearer(admin))).jobId).toBe(jobs[0]);
    expectError(await h.http.get(`/arcgis/admin/system/jobs/${jobs[1]}`).set(bearer(admin)), 404);
  });

  it('has the org_publisher role', async () => {
    const res = await h.http.post('/portaladmin/security/users/createUser').set(bearer(admin)).type('form').send({ username: 'pub1', password: 'pub1-password', role: 'org_publisher' });
    expect(ok(res)).toMatchObject({ status: 'success', username: 'pub1' });
    const pub = await h.token('pub1', 'pub1-password');
    expect(ok(await h.http.get('/sharing/rest/community/self').set(bearer(pub)))).toMatchObject({ role: 'org_publisher', privileges: ['createNotebooks', 'scheduleNotebooks'] });
    expect(ok(await h.http.post('/sharing/rest/portals/self/updateuserrole').set(bearer(admin)).type('form').send({ user: 'pub1', role: 'account_publisher' }))).toEqual({ success: true, username: 'pub1' });
  });
});

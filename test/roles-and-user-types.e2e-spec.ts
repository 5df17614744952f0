import { ApiHarness } from './support/api-harness';

/**
 * Portal operations behind trigger URIs of the seeds: custom roles and their assignment (/roles, updateUserRole),
 * user types (updateUserLicenseType), bulk enable and disable (real Postgres).
 */
describe('custom roles, user types, bulk enable/disable (Postgres)', () => {
  let h: ApiHarness;
  let admin: string;
  const base = '/sharing/rest/portals/self';
  const post = (path: string, form: Record<string, string> = {}, token = admin) => h.http.post(`${base}${path}`).set('Authorization', `Bearer ${token}`).type('form').send({ f: 'json', ...form });
  const get = (path: string, token = admin) => h.http.get(`${base}${path}`).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('create, read, list, update, set privileges, assign, delete; each raises its event', async () => {
    const created = await post('/createRole', { name: 'Notebook runner', description: 'runs notebooks', privileges: JSON.stringify({ privileges: ['premium:user:createNotebooks', 'portal:user:createItem'] }) });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ success: true, id: expect.stringMatching(/^[A-Za-z0-9]{16}$/) });
    const id = created.body.id as string;
    expect((await get(`/roles/${id}`)).body).toEqual({ id, name: 'Notebook runner', description: 'runs notebooks', created: expect.any(Number), modified: expect.any(Number) });
    expect((await get(`/roles/${id}/privileges`)).body).toEqual({ privileges: ['premium:user:createNotebooks', 'portal:user:createItem'] });
    expect((await get('/roles')).body).toMatchObject({ total: 1, start: 1, nextStart: -1, roles: [{ id, name: 'Notebook runner' }] });
    expect((await post('/createRole', { name: 'notebook RUNNER' })).status).toBe(409);

    expect((await post(`/roles/${id}/update`, { name: 'Runner' })).body).toEqual({ success: true });
    await h.user('carol');
    expect((await post(`/roles/${id}/assign`, { users: 'carol' })).body).toEqual({ success: true, users: ['carol'] });
    const carol = (await h.http.get('/sharing/rest/community/users/carol').set('Authorization', `Bearer ${admin}`)).body;
    expect(carol.privileges).toEqual(['createNotebooks']);
    expect(JSON.stringify(carol.privileges)).not.toContain('scheduleNotebooks');
    expect((await post(`/roles/${id}/setPrivileges`, { privileges: 'premium:user:createNotebooks,premium:user:scheduleNotebooks' })).body).toEqual({ success: true });
    const again = (await h.http.get('/sharing/rest/community/users/carol').set('Authorization', `Bearer ${admin}`)).body;
    expect(JSON.stringify(again.privileges)).toContain('scheduleNotebooks');

    expect((await post(`/roles/${id}/delete`)).status).toBe(409); // carol holds it
    expect((await post(`/roles/${id}/assign`, { users: 'admin' })).status).toBe(409); // administrators hold everything
    // The product's way to give a custom role: updateuserrole with the role's id.
    await h.user('frank');
    expect((await post('/updateuserrole', { user: 'frank', role: id })).body).toEqual({ success: true, username: 'frank' });
    expect(JSON.stringify((await h.http.get('/sharing/rest/community/users/frank').set('Authorization', `Bearer ${admin}`)).body.privileges)).toContain('scheduleNotebooks');
    expect((await post('/updateuserrole', { user: 'frank', role: 'a'.repeat(16) })).status).toBe(404);
    const badRole = await post('/updateuserrole', { user: 'frank', role: 'wizard' });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.message).toMatch(/role: must be org_admin, org_publisher, org_user or a custom role's id/);
    await h.http.post('/sharing/rest/community/users/frank/delete').set('Authorization', `Bearer ${admin}`);
    await h.http.post('/sharing/rest/community/users/carol/delete').set('Authorization', `Bearer ${admin}`);
    expect((await post(`/roles/${id}/delete`)).body).toEqual({ success: true });
    expect((await get(`/roles/${id}`)).status).toBe(404);

    const events = (await h.events()).filter((e) => e.source === 'role' || e.operation === 'updateUserRole');
    expect(events.map((e) => [e.source, e.operation, e.target_id])).toEqual([
      ['role', 'add', id],
      ['role', 'update', id],
      ['user', 'updateUserRole', 'carol'],
      ['role', 'update', id],
      ['user', 'updateUserRole', 'frank'],
      ['role', 'delete', id],
    ]);
    expect(events[0].properties).toEqual({ name: ['Notebook runner'] });
    expect(events[2].properties).toEqual({ userRoleUpdatedTo: [id] });
  });

  it('bad input is a 400 naming the field; only administrators', async () => {
    const long = await post('/createRole', { name: 'x'.repeat(129) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/name: must be at most 128 characters/);
    expect((await post('/createRole', { name: 'p', privileges: '{"privileges":"all"}' })).status).toBe(400);
    const bob = await h.user('bob');
    expect((await post('/createRole', { name: 'sneaky' }, bob)).status).toBe(403);
    expect((await get('/roles', bob)).status).toBe(403);
    expect((await get('/roles/nosuchrole')).status).toBe(404);
  });

  it('updateUserLicenseType records each user\'s new type; unknown types and users are refused', async () => {
    await h.user('dave');
    await h.user('erin');
    expect((await get('/userLicenseTypes')).body.userLicenseTypes).toEqual(expect.arrayContaining([{ id: 'creatorUT', name: 'Creator' }]));
    const res = await post('/updateUserLicenseType', { users: 'dave,erin', userLicenseType: 'viewerUT' });
    expect(res.body).toEqual({ success: true, users: ['dave', 'erin'], userLicenseType: 'viewerUT' });
    const bad = await post('/updateUserLicenseType', { users: 'dave', userLicenseType: 'wizardUT' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/userLicenseType: must be one of viewerUT/);
    expect((await post('/updateUserLicenseType', { users: 'dave,nobody', userLicenseType: 'viewerUT' })).status).toBe(404);
    // createUser takes the user type too (the product's userLicenseTypeId); an unknown one is refused.
    const create = (form: Record<string, string>) => h.http.post('/portaladmin/security/users/createUser').set('Authorization', `Bearer ${admin}`).type('form').send({ f: 'json', password: 'gina-password', role: 'org_user', ...form });
    expect((await create({ username: 'gina', userLicenseTypeId: 'GISProfessionalStdUT' })).status).toBe(200);
    expect(await h.ds.query(`SELECT t.license_type FROM user_license_types t JOIN users u ON u.id = t.user_id WHERE u.username = 'gina'`)).toEqual([{ license_type: 'GISProfessionalStdUT' }]);
    const badType = await create({ username: 'hank', userLicenseTypeId: 'wizardUT' });
    expect(badType.status).toBe(400);
    expect(badType.body.error.message).toMatch(/userLicenseTypeId: must be one of viewerUT/);
    const events = (await h.events()).filter((e) => e.operation === 'updateUserLicenseType');
    expect(events.map((e) => [e.target_id, e.properties])).toEqual([
      ['dave', { userLicenseTypeUpdatedTo: ['viewerUT'] }],
      ['erin', { userLicenseTypeUpdatedTo: ['viewerUT'] }],
    ]);
  });

  it('bulkDisable / bulkEnable: each user as disable/enable does, one bulk event; the last administrator stays enabled', async () => {
    await h.user('fay');
    const off = await post('/users/bulkDisable', { users: 'fay,admin' });
    expect(off.body).toEqual({ success: true, results: [{ username: 'fay', success: true }, { username: 'admin', success: false, error: expect.stringMatching(/at least one enabled administrator/) }] });
    expect((await h.http.post('/sharing/rest/generateToken').type('form').send({ username: 'fay', password: 'fay-password' })).status).toBe(403);
    expect((await post('/users/bulkEnable', { users: 'fay' })).body).toEqual({ success: true, results: [{ username: 'fay', success: true }] });
    await h.token('fay', 'fay-password');
    const events = (await h.events()).filter((e) => ['bulkDisable', 'bulkEnable', 'disable', 'enable'].includes(e.operation));
    expect(events.map((e) => [e.operation, e.target_id, e.properties])).toEqual([
      ['disable', 'fay', {}],
      ['bulkDisable', '', { users: ['fay'] }],
      ['enable', 'fay', {}],
      ['bulkEnable', '', { users: ['fay'] }],
    ]);
    expect((await post('/users/bulkEnable', { users: '' })).status).toBe(400);
  });
});

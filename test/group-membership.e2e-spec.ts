import { ApiHarness } from './support/api-harness';
import { bearer, eventsOf, expectError, expectOneEvent, ok } from './support/rest-expect';

/** Group rosters, invitations and role changes (with their webhook events), and public items without a token. */
describe('group membership and public items', () => {
  let h: ApiHarness;
  let admin: string;
  let group: string;
  const post = (path: string, form: Record<string, string>, token = admin) => h.http.post(path).set(bearer(token)).type('form').send({ f: 'json', ...form });
  const g = (op = '') => `/sharing/rest/community/groups/${group}${op ? `/${op}` : ''}`;

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
    for (const u of ['carol', 'dave', 'erin']) await h.user(u);
    group = ok(await post('/sharing/rest/community/createGroup', { title: 'Team', access: 'org' })).group.id;
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('invite adds the users at once with the role asked, and raises invite', async () => {
    expect(ok(await post(g('invite'), { users: 'carol,nobody', role: 'group_admin', expiration: '1440' }))).toEqual({ success: true, notInvited: ['nobody'] });
    expect(ok(await post(g('invite'), { users: 'dave' }))).toEqual({ success: true, notInvited: [] });
    expect(ok(await h.http.get(g('users')).set(bearer(admin)))).toEqual({ owner: 'admin', admins: ['admin', 'carol'], users: ['dave'] });
    // one event per invitation
    expect((await eventsOf(h, 'group', 'invite', group)).map((e) => e.properties).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { invitedUserNames: ['carol'] },
      { invitedUserNames: ['dave'] },
    ]);
  });

  it('updateUsers changes group roles, never the owner, and raises updateUsers', async () => {
    const res = ok(await post(g('updateUsers'), { admins: 'dave,admin', users: 'carol' }));
    expect(res).toEqual({ results: [{ username: 'dave', success: true }, { username: 'admin', success: false }, { username: 'carol', success: true }] });
    expect(ok(await h.http.post(g('users')).set(bearer(admin)).type('form').send({}))).toEqual({ owner: 'admin', admins: ['admin', 'dave'], users: ['carol'] });
    await expectOneEvent(h, { source: 'group', operation: 'updateUsers', targetId: group, by: 'admin', properties: { updatedUserNames: ['dave', 'carol'] } });
    expectError(await post(g('updateUsers'), {}), 400);
  });

  it('addUsers takes admins too; a group answers the caller its membership', async () => {
    expect(ok(await post(g('addUsers'), { admins: 'erin' }))).toEqual({ notAdded: [] });
    const erin = await h.token('erin', 'erin-password');
    expect(ok(await h.http.get(g()).set(bearer(erin))).userMembership).toEqual({ username: 'erin', memberType: 'admin' });
    const user = ok(await h.http.get('/sharing/rest/community/users/erin').set(bearer(erin)));
    expect(user.groups).toEqual([expect.objectContaining({ id: group, userMembership: { username: 'erin', memberType: 'admin' } })]);
  });

  it('public items and their data are readable without a token; others are not', async () => {
    const carol = await h.token('carol', 'carol-password');
    const item = await h.addNotebook(carol, 'carol');
    expectError(await h.http.get(`/sharing/rest/content/items/${item}`), 404);
    ok(await post(`/sharing/rest/content/users/carol/items/${item}/share`, { everyone: 'true' }, carol));
    expect(ok(await h.http.get(`/sharing/rest/content/items/${item}?f=json`))).toEqual(expect.objectContaining({ id: item, access: 'public' }));
    expect(ok(await h.http.get(`/sharing/rest/content/items/${item}/data`)).nbformat).toBe(4);
    expectError(await h.http.get(`/sharing/rest/content/items/${item}`).query({ token: 'not-a-token' }), 401, { code: 498 });
  });
});

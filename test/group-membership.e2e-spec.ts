import { ApiHarness } from './support/api-harness';

/** Join requests (requestJoin), their acceptance or refusal, and members' group roles (updateUsers); real Postgres. */
describe('group join requests and member roles (Postgres)', () => {
  let h: ApiHarness;
  let admin: string;
  let bob: string;
  let groupId: string;
  const post = (path: string, token: string, form: Record<string, string> = {}) => h.http.post(`/sharing/rest/community/groups/${groupId}${path}`).set('Authorization', `Bearer ${token}`).type('form').send({ f: 'json', ...form });

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
    bob = await h.user('bob');
    await h.user('carol');
    const g = await h.http.post('/sharing/rest/community/createGroup').set('Authorization', `Bearer ${admin}`).type('form').send({ title: 'Analysts', access: 'org' });
    groupId = g.body.group.id;
  });

  afterAll(async () => {
    await h?.stop();
  });

  const members = async () => (await h.ds.query(`SELECT u.username, m.member_type FROM group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = $1 ORDER BY u.username`, [groupId])).map((r: { username: string; member_type: string }) => `${r.username}:${r.member_type}`);

  it('join asks once; an administrator sees, accepts or declines; accepting adds the member', async () => {
    expect((await post('/join', bob)).body).toEqual({ success: true, groupId });
    expect((await post('/join', bob)).status).toBe(200); // asking again changes nothing
    const carol = await h.token('carol', 'carol-password');
    await post('/join', carol);
    const apps = (await h.http.get(`/sharing/rest/community/groups/${groupId}/applications`).set('Authorization', `Bearer ${admin}`)).body.applications;
    expect(apps.map((a: { username: string }) => a.username)).toEqual(['bob', 'carol']);
    expect((await h.http.get(`/sharing/rest/community/groups/${groupId}/applications`).set('Authorization', `Bearer ${bob}`)).status).toBe(403);

    expect((await post('/applications/bob/accept', admin)).body).toEqual({ success: true, username: 'bob' });
    expect((await post('/applications/carol/decline', admin)).body).toEqual({ success: true, username: 'carol' });
    expect((await post('/applications/carol/accept', admin)).status).toBe(404);
    expect(await members()).toEqual(['admin:owner', 'bob:member']);
    expect((await post('/join', bob)).status).toBe(409); // already a member

    const events = (await h.events()).filter((e) => e.source === 'group' && ['requestJoin', 'addUsers'].includes(e.operation));
    expect(events.map((e) => [e.operation, e.username, e.properties])).toEqual([
      ['requestJoin', 'bob', {}],
      ['requestJoin', 'carol', {}],
      ['addUsers', 'admin', { addedUserNames: ['bob'] }],
    ]);
  });

  it('updateUsers makes members managers and back, raising updateUsers with updatedUserNames', async () => {
    expect((await post('/updateUsers', admin, { admins: 'bob' })).body).toEqual({ success: true, results: [{ username: 'bob', success: true }] });
    expect(await members()).toEqual(['admin:owner', 'bob:admin']);
    expect((await post('/updateUsers', admin, { users: 'bob,carol' })).body.results).toEqual([{ username: 'bob', success: true }, { username: 'carol', success: false }]);
    expect(await members()).toEqual(['admin:owner', 'bob:member']);
    const events = (await h.events()).filter((e) => e.operation === 'updateUsers');
    expect(events.map((e) => e.properties)).toEqual([{ updatedUserNames: ['bob'] }, { updatedUserNames: ['bob'] }]);
    expect((await post('/updateUsers', bob, { admins: 'bob' })).status).toBe(403);
  });

  it('invite: invitedUserNames; the invited user sees, accepts (joining) or declines; members are not invited', async () => {
    const dan = await h.user('dan');
    const eve = await h.user('eve');
    const res = await post('/invite', admin, { users: 'dan,eve,bob,nobody', role: 'group_admin' });
    expect(res.body).toEqual({ success: true, notInvited: ['bob', 'nobody'] });
    const invs = (await h.http.get('/sharing/rest/community/users/dan/invitations').set('Authorization', `Bearer ${dan}`)).body.userInvitations;
    expect(invs).toEqual([expect.objectContaining({ targetType: 'group', targetId: groupId, role: 'group_admin', fromUsername: 'admin' })]);
    expect((await h.http.get('/sharing/rest/community/users/dan/invitations').set('Authorization', `Bearer ${eve}`)).status).toBe(403);
    const accept = await h.http.post(`/sharing/rest/community/users/dan/invitations/${invs[0].id}/accept`).set('Authorization', `Bearer ${dan}`);
    expect(accept.body).toEqual({ success: true, groupId });
    const eveInv = (await h.http.get('/sharing/rest/community/users/eve/invitations').set('Authorization', `Bearer ${eve}`)).body.userInvitations[0];
    expect((await h.http.post(`/sharing/rest/community/users/eve/invitations/${eveInv.id}/decline`).set('Authorization', `Bearer ${eve}`)).status).toBe(200);
    expect((await h.http.post(`/sharing/rest/community/users/eve/invitations/${eveInv.id}/accept`).set('Authorization', `Bearer ${eve}`)).status).toBe(404);
    expect(await members()).toEqual(['admin:owner', 'bob:member', 'dan:admin']);
    const events = (await h.events()).filter((e) => e.source === 'group' && ['invite', 'addUsers'].includes(e.operation)).slice(-2);
    expect(events.map((e) => [e.operation, e.username, e.properties])).toEqual([
      ['invite', 'admin', { invitedUserNames: ['dan', 'eve'] }],
      ['addUsers', 'dan', { addedUserNames: ['dan'] }],
    ]);
  });
});

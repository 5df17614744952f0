import { ApiHarness } from './support/api-harness';

/**
 * Join requests (requestJoin), their acceptance or refusal; real Postgres. (invite and updateUsers: group-membership.e2e-spec.ts.)
 */
describe('group join requests (Postgres)', () => {
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
});

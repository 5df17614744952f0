import { createHash } from 'node:crypto';
import { FakeClock } from '@app/clock';
import { toPrincipal, UsersRepository, UsersService } from '@app/identity';
import { ApiHarness } from './support/api-harness';
import { bearer, eventsOf, expectError, expectOneEvent, HEX32, ok } from './support/rest-expect';

/** Integration tests of users, groups, tokens, the portal self resources, health and the error format. */

const ORG_ID = '0123456789ABCDEF'; // the default ORG_ID of the configuration

let seq = 0;
const uniq = (prefix: string) => `${prefix}${++seq}`;

describe('identity', () => {
  let h: ApiHarness;
  let admin: string;

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
  });

  afterAll(async () => {
    await h?.stop();
  });

  const self = (token: string) => h.http.get('/sharing/rest/community/self').set(bearer(token));
  const post = (path: string, token: string, form: Record<string, unknown> = {}) =>
    h.http.post(path).set(bearer(token)).type('form').send({ f: 'json', ...form });
  const userPath = (name: string, op = '') => `/sharing/rest/community/users/${name}${op ? `/${op}` : ''}`;
  const groupPath = (id: string, op = '') => `/sharing/rest/community/groups/${id}${op ? `/${op}` : ''}`;

  describe('tokens', () => {
    it('generateToken takes a form and answers token, expires and ssl', async () => {
      const before = Date.now();
      const body = ok(await h.http.post('/sharing/rest/generateToken').type('form').send({ username: 'admin', password: 'admin-password', f: 'json' }));
      expect(body).toEqual({ token: expect.any(String), expires: expect.any(Number), ssl: false });
      // 60 minutes by default
      expect(body.expires).toBeGreaterThanOrEqual(before + 59 * 60_000);
      expect(body.expires).toBeLessThanOrEqual(Date.now() + 61 * 60_000);
    });

    it('generateToken takes a JSON body and honours expiration (minutes)', async () => {
      const before = Date.now();
      const body = ok(await h.http.post('/sharing/rest/generateToken').send({ username: 'admin', password: 'admin-password', expiration: 5 }));
      expect(body).toEqual({ token: expect.any(String), expires: expect.any(Number), ssl: false });
      expect(body.expires).toBeGreaterThanOrEqual(before + 4 * 60_000);
      expect(body.expires).toBeLessThanOrEqual(Date.now() + 5 * 60_000 + 1000);
    });

    it('refuses a wrong password or an unknown user with 400', async () => {
      for (const [username, password] of [['admin', 'wrong-password'], ['nobody-here', 'whatever-password']]) {
        const res = await h.http.post('/sharing/rest/generateToken').type('form').send({ username, password });
        expectError(res, 400, { messageCode: 'INVALID_CREDENTIALS' });
      }
    });

    it('names missing parameters', async () => {
      const err = expectError(await h.http.post('/sharing/rest/generateToken').type('form').send({ username: 'admin' }), 400);
      expect(err.details).toEqual([expect.stringMatching(/^password: /)]);
    });

    it('records a signIn event for the user', async () => {
      const name = uniq('signer');
      await h.user(name);
      await expectOneEvent(h, { source: 'user', operation: 'signIn', targetId: name, by: name });
    });

    it('accepts the token as a query parameter, Authorization: Bearer or X-Esri-Authorization: Bearer', async () => {
      const asQuery = await h.http.get('/sharing/rest/community/self').query({ token: admin, f: 'json' });
      const asBearer = await h.http.get('/sharing/rest/community/self').set('Authorization', `Bearer ${admin}`);
      const asEsri = await h.http.get('/sharing/rest/community/self').set('X-Esri-Authorization', `Bearer ${admin}`);
      for (const res of [asQuery, asBearer, asEsri]) expect(ok(res).username).toBe('admin');
    });

    it('accepts the token as a form field', async () => {
      const name = uniq('formtok');
      await h.user(name);
      const res = await h.http.post(userPath(name, 'update')).type('form').send({ token: admin, fullname: 'Form Token' });
      expect(ok(res)).toEqual({ success: true, username: name });
    });

    it('answers 401 with code 499 without a token', async () => {
      expectError(await h.http.get('/sharing/rest/community/self'), 401, { code: 499, messageCode: 'TOKEN_REQUIRED' });
      expectError(await h.http.get('/sharing/rest/community/self').set('Authorization', 'Basic abc'), 401, { code: 499 });
    });

    it('answers 401 with code 498 for a garbage or tampered token', async () => {
      expectError(await self('not-a-token'), 401, { code: 498, messageCode: 'INVALID_TOKEN' });
      const [head, payload, sig] = admin.split('.');
      const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), username: 'x' })).toString('base64url');
      expectError(await self(`${head}.${forged}.${sig}`), 401, { code: 498 });
    });

    it("stops accepting a user's token once the user is disabled, and again once enabled", async () => {
      const name = uniq('disabled');
      const token = await h.user(name);
      ok(await self(token));
      ok(await post(userPath(name, 'disable'), admin));
      expectError(await self(token), 401, { code: 498 });
      // and a disabled user cannot sign in
      expectError(await h.http.post('/sharing/rest/generateToken').type('form').send({ username: name, password: `${name}-password` }), 403);
      ok(await post(userPath(name, 'enable'), admin));
      ok(await self(token));
    });

    it("stops accepting a deleted user's token", async () => {
      const name = uniq('deleted');
      const token = await h.user(name);
      ok(await self(token));
      ok(await post(userPath(name, 'delete'), admin));
      expectError(await self(token), 401, { code: 498 });
    });

    it('pretty-prints with f=pjson and not with f=json', async () => {
      const pretty = await h.http.get('/sharing/rest/portals/self').query({ f: 'pjson' }).set(bearer(admin));
      expect(pretty.status).toBe(200);
      expect(pretty.headers['content-type']).toMatch(/^application\/json/);
      expect(pretty.text).toBe(JSON.stringify(JSON.parse(pretty.text), null, 2));
      expect(pretty.text).toContain('\n  "id": ');
      const compact = await h.http.get('/sharing/rest/portals/self').query({ f: 'json' }).set(bearer(admin));
      expect(compact.text).toBe(JSON.stringify(JSON.parse(compact.text)));
      // form posts too, and errors
      const formPretty = await h.http.post('/sharing/rest/generateToken').type('form').send({ username: 'admin', password: 'no', f: 'pjson' });
      expect(formPretty.status).toBe(400);
      expect(formPretty.text).toContain('\n  "error": {\n');
    });
  });

  describe('token expiry (fake clock)', () => {
    const clock = new FakeClock(new Date('2030-06-01T12:00:00Z'));
    let fh: ApiHarness;

    beforeAll(async () => {
      fh = await ApiHarness.start({}, { clock });
    });

    afterAll(async () => {
      await fh?.stop();
    });

    const me = (token: string) => fh.http.get('/sharing/rest/community/self').set(bearer(token));

    it('times a token from the clock and rejects it with 498 once expired', async () => {
      const res = ok(await fh.http.post('/sharing/rest/generateToken').type('form').send({ username: 'admin', password: 'admin-password', expiration: 1 }));
      expect(res.expires).toBe(clock.nowMs() + 60_000);
      ok(await me(res.token));
      clock.advance(59_000);
      ok(await me(res.token));
      clock.advance(2_000);
      expectError(await me(res.token), 401, { code: 498, messageCode: 'INVALID_TOKEN' });
      // a fresh sign-in works again
      ok(await me(await fh.token()));
    });

    it('clamps the expiration to the configured maximum', async () => {
      const res = ok(await fh.http.post('/sharing/rest/generateToken').send({ username: 'admin', password: 'admin-password', expiration: 10_000_000 }));
      expect(res.expires).toBe(clock.nowMs() + fh.config.auth.maxTokenMinutes * 60_000);
    });
  });

  describe('roles and the portal self resources', () => {
    it('portals/self answers the organization and the current user', async () => {
      const name = uniq('selfie');
      const token = await h.user(name);
      const body = ok(await h.http.get('/sharing/rest/portals/self').set(bearer(token)));
      expect(body).toMatchObject({ id: ORG_ID, isPortal: true, user: { username: name, role: 'org_user', orgId: ORG_ID } });
    });

    it('community/self answers the current user and their groups', async () => {
      const name = uniq('commself');
      const token = await h.user(name);
      const body = ok(await self(token));
      expect(body).toMatchObject({ username: name, role: 'org_user', orgId: ORG_ID, disabled: false, groups: [] });
      expect(body.id).toMatch(HEX32);
      expect(body).not.toHaveProperty('passwordHash');
    });

    it('lets a user read their own profile but not another user', async () => {
      const alice = uniq('alice');
      const bob = uniq('bob');
      const token = await h.user(alice);
      await h.user(bob);
      expect(ok(await h.http.get(userPath(alice)).set(bearer(token)))).toMatchObject({ username: alice, orgId: ORG_ID });
      expectError(await h.http.get(userPath(bob)).set(bearer(token)), 403);
      expectError(await post(userPath(bob, 'update'), token, { fullname: 'Hacked' }), 403);
    });

    it('keeps user management and roles to administrators', async () => {
      const name = uniq('plain');
      const token = await h.user(name);
      expectError(await post('/portaladmin/security/users/createUser', token, { username: uniq('x'), password: 'long-enough-pw' }), 403, {
        messageCode: 'FORBIDDEN',
      });
      expectError(await post('/sharing/rest/portals/self/updateuserrole', token, { user: name, role: 'org_admin' }), 403);
      for (const op of ['disable', 'enable', 'delete']) expectError(await post(userPath('admin', op), token), 403);
      expectError(await h.http.get('/sharing/rest/portals/self/users').set(bearer(token)), 403);
      // and nothing changed
      expect(ok(await h.http.get(userPath(name)).set(bearer(admin))).role).toBe('org_user');
    });

    it('lets an administrator read and manage any user', async () => {
      const name = uniq('managed');
      await h.user(name);
      expect(ok(await h.http.get(userPath(name)).set(bearer(admin)))).toMatchObject({ username: name, role: 'org_user' });
      const list = ok(await h.http.get('/sharing/rest/portals/self/users').query({ num: 100 }).set(bearer(admin)));
      expect(list.users.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(['admin', name]));
    });
  });

  describe('users', () => {
    it('createUser creates the user and records /users/add', async () => {
      const name = uniq('created');
      const body = ok(
        await post('/portaladmin/security/users/createUser', admin, {
          username: name,
          password: 'a-good-password',
          firstname: 'Ada',
          lastname: 'Lovelace',
          email: `${name}@example.org`,
          role: 'org_user',
        }),
      );
      expect(body).toEqual({ status: 'success', username: name, id: expect.stringMatching(HEX32) });
      expect(ok(await h.http.get(userPath(name)).set(bearer(admin)))).toMatchObject({
        username: name,
        fullName: 'Ada Lovelace',
        email: `${name}@example.org`,
        role: 'org_user',
        disabled: false,
      });
      await expectOneEvent(h, { source: 'user', operation: 'add', targetId: name, by: 'admin' });
      // the new user can sign in
      await h.token(name, 'a-good-password');
    });

    it('refuses a duplicate username (any case) with 409 and bad fields with 400 naming them', async () => {
      const name = uniq('dup');
      await h.user(name);
      expectError(await post('/portaladmin/security/users/createUser', admin, { username: name.toUpperCase(), password: 'a-good-password' }), 409, {
        messageCode: 'USER_EXISTS',
      });
      const err = expectError(await post('/portaladmin/security/users/createUser', admin, { username: 'x!', password: 'short', role: 'king' }), 400, {
        messageCode: 'INVALID_PARAMETERS',
      });
      expect(err.details).toEqual([
        expect.stringMatching(/^username: /),
        expect.stringMatching(/^password: /),
        expect.stringMatching(/^role: /),
      ]);
    });

    it('update changes the profile and records /users/{name}/update', async () => {
      const name = uniq('upd');
      const token = await h.user(name);
      ok(await post(userPath(name, 'update'), token, { fullname: 'New Name', email: 'new@example.org' }));
      expect(ok(await h.http.get(userPath(name)).set(bearer(token)))).toMatchObject({ fullName: 'New Name', email: 'new@example.org' });
      await expectOneEvent(h, { source: 'user', operation: 'update', targetId: name, by: name });
      // a user cannot grant themselves privileges
      expectError(await post(userPath(name, 'update'), token, { privileges: 'premium:user:scheduleNotebooks' }), 403);
    });

    it('update of the password lets the user sign in with the new one only', async () => {
      const name = uniq('pw');
      const token = await h.user(name);
      ok(await post(userPath(name, 'update'), token, { password: 'brand-new-password' }));
      await h.token(name, 'brand-new-password');
      expectError(await h.http.post('/sharing/rest/generateToken').type('form').send({ username: name, password: `${name}-password` }), 400);
    });

    it('updateuserrole changes the role and records userRoleUpdatedTo', async () => {
      const name = uniq('promoted');
      const token = await h.user(name);
      expect(ok(await post('/sharing/rest/portals/self/updateuserrole', admin, { user: name, role: 'org_admin' }))).toEqual({
        success: true,
        username: name,
      });
      await expectOneEvent(h, { source: 'user', operation: 'updateUserRole', targetId: name, by: 'admin', properties: { userRoleUpdatedTo: ['org_admin'] } });
      // the same token now carries the new role
      ok(await h.http.get(userPath('admin')).set(bearer(token)));
      // and back, with the product's role alias
      ok(await post('/sharing/rest/portals/self/updateuserrole', admin, { user: name, role: 'account_user' }));
      expect((await eventsOf(h, 'user', 'updateUserRole', name)).map((e) => e.properties)).toEqual([
        { userRoleUpdatedTo: ['org_admin'] },
        { userRoleUpdatedTo: ['org_user'] },
      ]);
      expectError(await h.http.get(userPath('admin')).set(bearer(token)), 403);
    });

    it('disable and enable record their events', async () => {
      const name = uniq('toggle');
      await h.user(name);
      expect(ok(await post(userPath(name, 'disable'), admin))).toEqual({ success: true, username: name });
      expect(ok(await h.http.get(userPath(name)).set(bearer(admin))).disabled).toBe(true);
      ok(await post(userPath(name, 'enable'), admin));
      expect(ok(await h.http.get(userPath(name)).set(bearer(admin))).disabled).toBe(false);
      await expectOneEvent(h, { source: 'user', operation: 'disable', targetId: name, by: 'admin' });
      await expectOneEvent(h, { source: 'user', operation: 'enable', targetId: name, by: 'admin' });
    });

    it('delete removes the user and records /users/{name}/delete', async () => {
      const name = uniq('gone');
      await h.user(name);
      expect(ok(await post(userPath(name, 'delete'), admin))).toEqual({ success: true, username: name });
      expectError(await h.http.get(userPath(name)).set(bearer(admin)), 404, { messageCode: 'NOT_FOUND' });
      await expectOneEvent(h, { source: 'user', operation: 'delete', targetId: name, by: 'admin' });
      expectError(await post(userPath(name, 'delete'), admin), 404);
    });

    it('refuses to delete a user who owns content (409)', async () => {
      const name = uniq('owner');
      const token = await h.user(name);
      await h.addNotebook(token, name);
      expectError(await post(userPath(name, 'delete'), admin), 409, { messageCode: 'USER_OWNS_CONTENT' });
      expect(await eventsOf(h, 'user', 'delete', name)).toEqual([]);
    });
  });

  describe('the last administrator', () => {
    let lh: ApiHarness;
    let root: string;

    beforeAll(async () => {
      lh = await ApiHarness.start();
      root = await lh.token();
    });

    afterAll(async () => {
      await lh?.stop();
    });

    const lpost = (path: string, form: Record<string, unknown> = {}) => lh.http.post(path).set(bearer(root)).type('form').send(form);

    it('cannot be demoted, disabled or deleted (409), and nothing is recorded', async () => {
      expectError(await lpost('/sharing/rest/portals/self/updateuserrole', { user: 'admin', role: 'org_user' }), 409, { messageCode: 'LAST_ADMIN' });
      expectError(await lpost(userPath('admin', 'disable')), 409, { messageCode: 'LAST_ADMIN' });
      expectError(await lpost(userPath('admin', 'delete')), 409, { messageCode: 'LAST_ADMIN' });
      expect((await lh.events()).filter((e) => e.target_id === 'admin' && e.operation !== 'signIn')).toEqual([]);
      expect(ok(await lh.http.get(userPath('admin')).set(bearer(root)))).toMatchObject({ role: 'org_admin', disabled: false });
    });

    it('can be demoted once another enabled administrator exists, and a disabled administrator does not count', async () => {
      await lh.user('second', 'org_admin');
      ok(await lpost(userPath('second', 'disable')));
      // 'second' is disabled: 'admin' is still the only enabled administrator
      expectError(await lpost('/sharing/rest/portals/self/updateuserrole', { user: 'admin', role: 'org_user' }), 409);
      // demoting the disabled administrator leaves 'admin' in charge, so it is allowed
      ok(await lpost('/sharing/rest/portals/self/updateuserrole', { user: 'second', role: 'org_admin' }));
      ok(await lpost('/sharing/rest/portals/self/updateuserrole', { user: 'second', role: 'org_user' }));
      ok(await lpost('/sharing/rest/portals/self/updateuserrole', { user: 'second', role: 'org_admin' }));
      ok(await lpost(userPath('second', 'enable')));
      ok(await lpost('/sharing/rest/portals/self/updateuserrole', { user: 'admin', role: 'org_user' }));
      const second = await lh.token('second', 'second-password');
      ok(await lh.http.post('/sharing/rest/portals/self/updateuserrole').set(bearer(second)).type('form').send({ user: 'admin', role: 'org_admin' }));
    });

    it('two enabled administrators demoted at the same moment: one demotion passes, the other is refused', async () => {
      // Straight to the service: through HTTP the actor's own demotion could refuse the other request at sign-in instead.
      const users = lh.app.get(UsersService);
      const actor = toPrincipal((await lh.app.get(UsersRepository).findByUsername('admin'))!);
      for (let round = 0; round < 5; round++) {
        const results = await Promise.allSettled([users.updateRole(actor, 'admin', 'org_user'), users.updateRole(actor, 'second', 'org_user')]);
        const outcome = results.map((r) => (r.status === 'fulfilled' ? 'demoted' : ((r.reason as { messageCode?: string }).messageCode ?? String(r.reason))));
        expect(outcome.sort()).toEqual(['LAST_ADMIN', 'demoted']);
        const admins = (await lh.ds.query(`SELECT username FROM users WHERE role = 'org_admin' AND NOT disabled`)) as Array<{ username: string }>;
        expect(admins).toHaveLength(1);
        // Back to two administrators for the next round.
        await users.updateRole(actor, admins[0].username === 'admin' ? 'second' : 'admin', 'org_admin');
      }
    });
  });

  describe('groups', () => {
    const createGroup = async (form: Record<string, unknown> = {}) => {
      const body = ok(await post('/sharing/rest/community/createGroup', admin, { title: uniq('Group '), access: 'private', tags: 'a,b', ...form }));
      return body.group as { id: string; title: string; owner: string; access: string; tags: string[]; isProtected: boolean };
    };

    it('createGroup answers the group and records /groups/add; non-administrators cannot create groups', async () => {
      const g = await createGroup({ title: 'Analysts', description: 'd', snippet: 's' });
      expect(g).toMatchObject({ title: 'Analysts', owner: 'admin', access: 'private', tags: ['a', 'b'], isProtected: false, description: 'd', snippet: 's' });
      expect(g.id).toMatch(HEX32);
      await expectOneEvent(h, { source: 'group', operation: 'add', targetId: g.id, by: 'admin' });
      const name = uniq('nogroups');
      const token = await h.user(name);
      expectError(await post('/sharing/rest/community/createGroup', token, { title: 'Mine' }), 403);
      expectError(await post('/sharing/rest/community/createGroup', admin, { access: 'secret' }), 400);
    });

    it('lets members read a private group and hides it from others; org groups are readable by all', async () => {
      const g = await createGroup();
      const member = uniq('member');
      const outsider = uniq('outsider');
      const memberToken = await h.user(member);
      const outsiderToken = await h.user(outsider);
      expect(ok(await post(groupPath(g.id, 'addUsers'), admin, { users: member }))).toEqual({ notAdded: [] });
      const seen = ok(await h.http.get(groupPath(g.id)).set(bearer(memberToken)));
      expect(seen).toMatchObject({ id: g.id, owner: 'admin' });
      expect(seen.users).toEqual(
        expect.arrayContaining([
          { username: 'admin', memberType: 'owner' },
          { username: member, memberType: 'member' },
        ]),
      );
      expectError(await h.http.get(groupPath(g.id)).set(bearer(outsiderToken)), 404);
      expect(ok(await self(memberToken)).groups).toEqual([g.id]);
      const org = await createGroup({ access: 'org' });
      ok(await h.http.get(groupPath(org.id)).set(bearer(outsiderToken)));
      expectError(await h.http.get(groupPath('0'.repeat(32))).set(bearer(admin)), 404);
    });

    it('update changes the group and records /groups/{id}/update', async () => {
      const g = await createGroup();
      expect(ok(await post(groupPath(g.id, 'update'), admin, { title: 'Renamed', access: 'org', tags: 'x' }))).toEqual({ success: true, groupId: g.id });
      expect(ok(await h.http.get(groupPath(g.id)).set(bearer(admin)))).toMatchObject({ title: 'Renamed', access: 'org', tags: ['x'] });
      await expectOneEvent(h, { source: 'group', operation: 'update', targetId: g.id, by: 'admin' });
      const token = await h.user(uniq('notadmin'));
      expectError(await post(groupPath(g.id, 'update'), token, { title: 'Mine now' }), 403);
    });

    it('addUsers records addedUserNames and answers the unknown names', async () => {
      const g = await createGroup();
      const [u1, u2] = [uniq('add'), uniq('add')];
      await h.user(u1);
      await h.user(u2);
      const body = ok(await post(groupPath(g.id, 'addUsers'), admin, { users: `${u1}, ${u2},no-such-user` }));
      expect(body).toEqual({ notAdded: ['no-such-user'] });
      const [ev] = await eventsOf(h, 'group', 'addUsers', g.id);
      expect(ev).toMatchObject({ username: 'admin' });
      expect(Object.keys(ev.properties)).toEqual(['addedUserNames']);
      expect((ev.properties.addedUserNames as string[]).sort()).toEqual([u1, u2].sort());
      expectError(await post(groupPath(g.id, 'addUsers'), admin, { users: '' }), 400);
    });

    it('removeUsers records removedUserNames; removed members lose access; the owner stays', async () => {
      const g = await createGroup();
      const name = uniq('rm');
      const token = await h.user(name);
      ok(await post(groupPath(g.id, 'addUsers'), admin, { users: name }));
      ok(await h.http.get(groupPath(g.id)).set(bearer(token)));
      expect(ok(await post(groupPath(g.id, 'removeUsers'), admin, { users: `${name},admin` }))).toEqual({ notRemoved: ['admin'] });
      await expectOneEvent(h, { source: 'group', operation: 'removeUsers', targetId: g.id, by: 'admin', properties: { removedUserNames: [name] } });
      expectError(await h.http.get(groupPath(g.id)).set(bearer(token)), 404);
    });

    it('protect refuses deletion (409) until unprotect; each records its event', async () => {
      const g = await createGroup();
      expect(ok(await post(groupPath(g.id, 'protect'), admin))).toEqual({ success: true });
      expect(ok(await h.http.get(groupPath(g.id)).set(bearer(admin))).isProtected).toBe(true);
      expectError(await post(groupPath(g.id, 'delete'), admin), 409, { messageCode: 'GROUP_PROTECTED' });
      ok(await post(groupPath(g.id, 'unprotect'), admin));
      expect(ok(await post(groupPath(g.id, 'delete'), admin))).toEqual({ success: true, groupId: g.id });
      expectError(await h.http.get(groupPath(g.id)).set(bearer(admin)), 404);
      await expectOneEvent(h, { source: 'group', operation: 'protect', targetId: g.id, by: 'admin' });
      await expectOneEvent(h, { source: 'group', operation: 'unprotect', targetId: g.id, by: 'admin' });
      await expectOneEvent(h, { source: 'group', operation: 'delete', targetId: g.id, by: 'admin' });
    });

    it('reassign gives the group a new owner and records reassignedTo', async () => {
      const g = await createGroup();
      const name = uniq('newowner');
      const token = await h.user(name);
      ok(await post(groupPath(g.id, 'reassign'), admin, { targetUsername: name }));
      const seen = ok(await h.http.get(groupPath(g.id)).set(bearer(token)));
      expect(seen.owner).toBe(name);
      expect(seen.users).toEqual(
        expect.arrayContaining([
          { username: name, memberType: 'owner' },
          { username: 'admin', memberType: 'admin' },
        ]),
      );
      await expectOneEvent(h, { source: 'group', operation: 'reassign', targetId: g.id, by: 'admin', properties: { reassignedTo: [name] } });
      expectError(await post(groupPath(g.id, 'reassign'), admin, { targetUsername: 'no-such-user' }), 404);
    });

    it('reassigning a group to its current owner keeps them the owner', async () => {
      const g = await createGroup();
      ok(await post(groupPath(g.id, 'reassign'), admin, { targetUsername: 'admin' }));
      const seen = ok(await h.http.get(groupPath(g.id)).set(bearer(admin)));
      expect(seen.owner).toBe('admin');
      expect(seen.users).toEqual([{ username: 'admin', memberType: 'owner' }]);
    });
  });

  describe('OAuth2 for the Manager: the code flow with PKCE and the JSON sign-in (response_mode=json, ours)', () => {
    const verifier = 'M'.repeat(20) + '-._~' + 'a1'.repeat(12);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = () => `${h.config.http.publicUrl}/arcgis/manager/`;
    const authorize = (extra: Record<string, string> = {}) =>
      h.http.get('/sharing/rest/oauth2/authorize').query({
        client_id: 'nbmanager', response_type: 'code', redirect_uri: redirect(), state: 'st-1', code_challenge: challenge, code_challenge_method: 'S256', response_mode: 'json', ...extra,
      });
    const signIn = (oauthState: string, password = 'admin-password') =>
      h.http.post('/sharing/oauth2/signin').type('form').send({ oauth_state: oauthState, username: 'admin', password });
    const redeem = (code: string, codeVerifier?: string) =>
      h.http.post('/sharing/rest/oauth2/token').type('form').send({ grant_type: 'authorization_code', client_id: 'nbmanager', code, redirect_uri: redirect(), ...(codeVerifier ? { code_verifier: codeVerifier } : {}) });
    const codeOf = async () => {
      const { oauth_state } = ok(await authorize());
      const out = ok(await signIn(oauth_state));
      expect(out).toEqual({ code: expect.any(String), state: 'st-1' });
      return out.code as string;
    };

    it('authorize and sign-in answer JSON; the code and its verifier give access and refresh tokens; refresh, then revokeToken ends it', async () => {
      const page = ok(await authorize());
      expect(page).toEqual({ oauth_state: expect.any(String), client_id: 'nbmanager', appTitle: 'Notebook Automation Manager' });
      const t = ok(await redeem(await codeOf(), verifier));
      expect(t).toEqual(expect.objectContaining({ access_token: expect.any(String), refresh_token: expect.any(String), username: 'admin' }));
      expect(ok(await self(t.access_token)).username).toBe('admin');
      const renewed = ok(await h.http.post('/sharing/rest/oauth2/token').type('form').send({ grant_type: 'refresh_token', client_id: 'nbmanager', refresh_token: t.refresh_token }));
      expect(ok(await self(renewed.access_token)).username).toBe('admin');
      ok(await h.http.get('/sharing/rest/oauth2/signout').query({ f: 'json' }).set(bearer(renewed.access_token)));
      expect(ok(await h.http.post('/sharing/rest/oauth2/revokeToken').type('form').send({ auth_token: t.refresh_token, client_id: 'nbmanager' }))).toEqual({ success: true });
      expectError(await self(t.access_token), 401, { code: 498 });
      expectError(await h.http.post('/sharing/rest/oauth2/token').type('form').send({ grant_type: 'refresh_token', client_id: 'nbmanager', refresh_token: t.refresh_token }), 400, { messageCode: 'OAUTH_0009' });
    });

    it('a code is refused without its verifier or with another one, and is used up by the attempt', async () => {
      const code = await codeOf();
      expectError(await redeem(code, 'x'.repeat(43)), 400, { messageCode: 'OAUTH_0011' });
      expectError(await redeem(code, verifier), 400, { messageCode: 'OAUTH_0008' });
      const other = await codeOf();
      const res = await redeem(other);
      expectError(res, 400, { messageCode: 'OAUTH_0011' });
      expect(JSON.stringify(res.body)).not.toContain(other);
    });

    it('the Manager client must send an S256 challenge and may return only to the Manager; a verifier without a challenge is refused', async () => {
      expectError(await authorize({ code_challenge: '' }), 400);
      const noChallenge = await h.http.get('/sharing/rest/oauth2/authorize').query({ client_id: 'nbmanager', response_type: 'code', redirect_uri: redirect(), response_mode: 'json' });
      expectError(noChallenge, 400, { messageCode: 'OAUTH_0011' });
      expectError(await authorize({ code_challenge_method: 'plain' }), 400);
      expectError(await authorize({ response_type: 'token' }), 400, { messageCode: 'OAUTH_0011' });
      expectError(await authorize({ redirect_uri: `${h.config.http.publicUrl}/sharing/rest/` }), 400, { messageCode: 'OAUTH_0005' });
      expectError(await authorize({ redirect_uri: 'urn:ietf:wg:oauth:2.0:oob' }), 400, { messageCode: 'OAUTH_0005' });
      // arcgispro without PKCE keeps working; a verifier it never announced is refused.
      const pro = ok(await h.http.get('/sharing/rest/oauth2/authorize').query({ client_id: 'arcgispro', response_type: 'code', redirect_uri: 'urn:ietf:wg:oauth:2.0:oob', response_mode: 'json' }));
      const { code } = ok(await signIn(pro.oauth_state));
      const res = await h.http.post('/sharing/rest/oauth2/token').type('form').send({ grant_type: 'authorization_code', client_id: 'arcgispro', code, redirect_uri: 'urn:ietf:wg:oauth:2.0:oob', code_verifier: verifier });
      expectError(res, 400, { messageCode: 'OAUTH_0011' });
    });

    it('a wrong password answers the error JSON (OAUTH_0015) without echoing the password', async () => {
      const { oauth_state } = ok(await authorize());
      const res = await signIn(oauth_state, 'not-the-password-77');
      expectError(res, 400, { messageCode: 'OAUTH_0015' });
      expect(JSON.stringify(res.body)).not.toContain('not-the-password-77');
      expectError(await signIn(oauth_state), 400, { messageCode: 'OAUTH_0007' });
    });
  });

  describe('health', () => {
    it('/health answers 200 without a token', async () => {
      const res = await h.http.get('/health');
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { status: 'ok' } });
    });

    it('/ready answers 200 with postgres and redis ok', async () => {
      const res = await h.http.get('/ready');
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { status: 'ready', postgres: 'ok', redis: 'ok' } });
    });
  });

  describe('bad input', () => {
    it('answers a malformed JSON body with 400 in the error format', async () => {
      const res = await h.http.post('/sharing/rest/generateToken').set('Content-Type', 'application/json').send('{"username": "admin",');
      expectError(res, 400, { messageCode: 'BAD_JSON' });
    });

    it('answers an unknown route with 404 in the error format', async () => {
      expectError(await h.http.get('/sharing/rest/no/such/thing'), 404, { messageCode: 'NOT_FOUND' });
      expectError(await h.http.post('/nowhere').set(bearer(admin)), 404);
    });

    it('answers a bad parameter with 400 naming it', async () => {
      const err = expectError(await post('/sharing/rest/portals/self/updateuserrole', admin, { user: 'admin', role: 'emperor' }), 400);
      expect(err.details).toEqual(["role: must be org_admin, org_publisher, org_user or a custom role's id"]);
      expect(err.message).toContain("role: must be org_admin, org_publisher, org_user or a custom role's id");
    });
  });
});

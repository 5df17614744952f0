import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { FakeClock } from '@app/clock';
import { ApiHarness } from './support/api-harness';
import { eventsOf, expectError, ok } from './support/rest-expect';
import { selfSignedCert, serveTls, TestCert } from './support/tls';

/**
 * Replays, request by request, what the ArcGIS API for Python 2.x sends (see
 * shared/reference/arcgis-python-client-requests.md) over HTTPS, asserting on the statuses and the fields it reads.
 */
describe('ArcGIS API for Python flows (replayed)', () => {
  let h: ApiHarness;
  let cert: TestCert;
  let tls: { url: string; close: () => Promise<void> };
  const clock = new FakeClock(new Date());
  const USER = 'pyuser';
  const PASSWORD = 'pyuser-password';

  // The client's session: always HTTPS; the token, once it has one, in X-Esri-Authorization.
  const get = (path: string, query: Record<string, string> = {}, token?: string) => {
    const r = request(tls.url).get(path).ca(cert.cert).query({ f: 'json', ...query });
    return token ? r.set('X-Esri-Authorization', `Bearer ${token}`) : r;
  };
  const post = (path: string, form: Record<string, string> = {}, token?: string) => {
    const r = request(tls.url).post(path).ca(cert.cert).type('form').send({ f: 'json', ...form });
    return token ? r.set('X-Esri-Authorization', `Bearer ${token}`) : r;
  };

  beforeAll(async () => {
    cert = selfSignedCert(mkdtempSync(join(tmpdir(), 'nba-tls-')));
    h = await ApiHarness.start({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile }, { clock });
    tls = await serveTls(h.app, cert);
    await h.user(USER, 'org_admin');
  });

  afterAll(async () => {
    await tls?.close();
    await h?.stop();
  });

  it('probes info without a token; the probes carry no WWW-Authenticate', async () => {
    for (const probe of ['/sharing/info', '/sharing/sharing/rest/info', '/sharing/rest/services']) {
      const res = await get(probe);
      expect(res.headers['www-authenticate']).toBeUndefined();
    }
    const info = ok(await get('/sharing/rest/info'));
    expect(info.authInfo).toEqual(expect.objectContaining({ isTokenBasedSecurity: true, tokenServicesUrl: `${tls.url}/sharing/rest/generateToken` }));
  });

  describe('OAuth2 implicit flow (its default sign-in)', () => {
    const redirect = () => `https://${new URL(tls.url).host}`;
    const authorize = (state: string) =>
      get('/sharing/rest/oauth2/authorize', {
        response_type: 'token',
        client_id: 'arcgisonline',
        redirect_uri: redirect(),
        state,
        expiration: '60',
        allow_verification: 'false',
        style: 'dark',
        locale: 'en-US',
      });
    const oauthStateIn = (text: string) => /"oauth_state":"([^"]+)"/.exec(text)?.[1];
    const signin = (oauthState: string, password = PASSWORD) =>
      request(tls.url).post('/sharing/oauth2/signin').ca(cert.cert).type('form').redirects(0).send({ expiration: '60', oauth_state: oauthState, username: USER, password });

    it('signs in: page with oauth_state, then 302 to the redirect URI with the token in the fragment', async () => {
      const page = await authorize('client-state-1');
      expect(page.status).toBe(200);
      const oauthState = oauthStateIn(page.text);
      expect(oauthState).toEqual(expect.any(String));

      const res = await signin(oauthState!);
      expect(res.status).toBe(302);
      const location = res.headers.location as string;
      expect(location.startsWith(`${redirect()}#`)).toBe(true);
      const fragment = new URLSearchParams(location.split('#')[1]);
      expect(fragment.get('state')).toBe('client-state-1');
      expect(fragment.get('username')).toBe(USER);
      expect(Number(fragment.get('expires_in'))).toBeGreaterThanOrEqual(3599); // expiration=60 minutes
      const token = fragment.get('access_token')!;

      // then it POSTs the reads it needs
      expect(ok(await post('/sharing/rest/portals/self', {}, token)).user.username).toBe(USER);
      expect(ok(await post(`/sharing/rest/community/users/${USER}`, {}, token)).username).toBe(USER);
      expect(await eventsOf(h, 'user', 'signIn', USER)).not.toHaveLength(0);
    });

    it('refuses a state used twice', async () => {
      const oauthState = oauthStateIn((await authorize('s2')).text)!;
      expect((await signin(oauthState)).status).toBe(302);
      const again = await signin(oauthState);
      expect(again.status).toBe(400);
      expect(again.headers.location).toBeUndefined();
      expect(again.text).not.toContain(PASSWORD);
    });

    it('refuses a state older than ten minutes', async () => {
      const oauthState = oauthStateIn((await authorize('s3')).text)!;
      clock.advance(10 * 60_000 + 1000);
      expect((await signin(oauthState)).status).toBe(400);
    });

    it('a wrong password answers OAUTH_0015 and no token', async () => {
      const oauthState = oauthStateIn((await authorize('s4')).text)!;
      const res = await signin(oauthState, 'wrong-password-1');
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toContain('OAUTH_0015');
      expect(res.text).not.toContain('wrong-password-1');
    });

    it('refuses an unknown client or a redirect URI off the portal, without signing anyone in', async () => {
      const bad = [
        get('/sharing/rest/oauth2/authorize', { response_type: 'token', client_id: 'nosuchapp', redirect_uri: redirect() }),
        get('/sharing/rest/oauth2/authorize', { response_type: 'token', client_id: 'arcgisonline', redirect_uri: 'https://evil.example' }),
      ];
      for (const res of await Promise.all(bad)) expectError(res, 400);
    });
  });

  describe('OAuth2 code flow (its fallback)', () => {
    const OOB = 'urn:ietf:wg:oauth:2.0:oob';
    const oAuthInfoIn = (html: string) => {
      const m = /var oAuthInfo = (\{.*?\});/s.exec(html);
      return m ? JSON.parse(m[1]) : undefined;
    };
    const codeFlow = async () => {
      const page = await get('/sharing/rest/oauth2/authorize', { response_type: 'code', client_id: 'arcgispro', redirect_uri: OOB, expiration: '20160' });
      expect(page.status).toBe(200);
      const info = oAuthInfoIn(page.text);
      expect(info).toEqual(expect.objectContaining({ oauth_state: expect.any(String) }));
      const done = await request(tls.url).post('/sharing/oauth2/signin').ca(cert.cert).type('form').redirects(5).send({ oauth_state: info.oauth_state, authorize: 'true', username: USER, password: PASSWORD });
      const code = /<title>SUCCESS code=([^<]+)<\/title>/.exec(done.text)?.[1];
      expect(code).toEqual(expect.any(String));
      return code!;
    };
    const redeem = (code: string) => post('/sharing/rest/oauth2/token', { grant_type: 'authorization_code', code, redirect_uri: OOB, client_id: 'arcgispro', expiration: '20160' });

    it('code, token with a refresh token, refresh; a code works once', async () => {
      const code = await codeFlow();
      const t = ok(await redeem(code));
      expect(t).toEqual(expect.objectContaining({ access_token: expect.any(String), expires_in: expect.any(Number), refresh_token: expect.any(String), username: USER }));
      expect(ok(await post('/sharing/rest/portals/self', {}, t.access_token)).user.username).toBe(USER);

      expectError(await redeem(code), 400);

      const refreshed = ok(await post('/sharing/rest/oauth2/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: 'arcgispro' }));
      expect(refreshed).toEqual(expect.objectContaining({ access_token: expect.any(String), expires_in: expect.any(Number), username: USER }));
      expect(ok(await post(`/sharing/rest/community/users/${USER}`, {}, refreshed.access_token)).username).toBe(USER);
    });

    it('a code expires after two minutes, and only its own client may redeem it', async () => {
      const late = await codeFlow();
      clock.advance(121_000);
      expectError(await redeem(late), 400);
      const other = await codeFlow();
      expectError(await post('/sharing/rest/oauth2/token', { grant_type: 'authorization_code', code: other, redirect_uri: OOB, client_id: 'arcgisonline' }), 400);
    });

    it('revokeToken ends the session: refresh refused, its access tokens invalid, signOut raised', async () => {
      const t = ok(await redeem(await codeFlow()));
      const before = (await eventsOf(h, 'user', 'signOut', USER)).length;
      expect(ok(await post('/sharing/rest/oauth2/revokeToken', { auth_token: t.refresh_token, client_id: 'arcgispro' }))).toEqual({ success: true });
      expectError(await post('/sharing/rest/oauth2/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: 'arcgispro' }), 400);
      const refused = await post('/sharing/rest/portals/self', {}, t.access_token);
      expectError(refused, 401, { code: 498 });
      expect(refused.text.toLowerCase()).toContain('invalid token');
      expect(await eventsOf(h, 'user', 'signOut', USER)).toHaveLength(before + 1);
      // again: nothing left to end, no second event
      ok(await post('/sharing/rest/oauth2/revokeToken', { auth_token: t.refresh_token, client_id: 'arcgispro' }));
      expect(await eventsOf(h, 'user', 'signOut', USER)).toHaveLength(before + 1);
    });

    it('signout with an OAuth2 token ends its session; suspend_session does too', async () => {
      const a = ok(await redeem(await codeFlow()));
      ok(await get('/sharing/rest/oauth2/signout', {}, a.access_token));
      expectError(await post('/sharing/rest/portals/self', {}, a.access_token), 401, { code: 498 });

      const b = ok(await redeem(await codeFlow()));
      ok(await post('/sharing/rest/oauth2/token', { grant_type: 'suspend_session', refresh_token: b.refresh_token, client_id: 'arcgispro' }));
      expectError(await post('/sharing/rest/oauth2/token', { grant_type: 'refresh_token', refresh_token: b.refresh_token, client_id: 'arcgispro' }), 400);
    });
  });

  describe('use_gen_token=True: the rest of a session, request by request', () => {
    let token: string;
    let itemId: string;
    let groupId: string;

    it('#5 generateToken with referer=http&client=referer', async () => {
      const t = ok(await post('/sharing/rest/generateToken', { username: USER, password: PASSWORD, client: 'referer', referer: 'http', expiration: '60' }));
      expect(t).toEqual(expect.objectContaining({ token: expect.any(String), expires: expect.any(Number) }));
      token = t.token;
    });

    it('#11-#16 POSTs the reads of portals/self, its user, the root and /portaladmin', async () => {
      const self = ok(await post('/sharing/rest/portals/self', {}, token));
      expect(self).toEqual(expect.objectContaining({ id: expect.any(String), isPortal: true, user: expect.objectContaining({ username: USER }) }));
      expect(ok(await post(`/sharing/rest/community/users/${USER}`, {}, token))).toEqual(expect.objectContaining({ username: USER, role: 'org_admin' }));
      expect(ok(await post('/sharing/rest/', {}, token)).currentVersion).toMatch(/^\d+(\.\d+)+$/);
      expect(ok(await get('/portaladmin', {}, token))).toEqual(expect.any(Object));
    });

    it('#17-#20 addItem (multipart), then POSTs content/items/{id} and GETs its data', async () => {
      const res = await request(tls.url)
        .post(`/sharing/rest/content/users/${USER}/addItem`)
        .ca(cert.cert)
        .set('X-Esri-Authorization', `Bearer ${token}`)
        .field('f', 'json')
        .field('type', 'Notebook')
        .field('title', 'Py notebook')
        .field('tags', 'python,flows')
        .attach('file', Buffer.from(JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] })), 'nb.ipynb');
      itemId = ok(res).id;
      expect(ok(await post(`/sharing/rest/content/items/${itemId}`, {}, token))).toEqual(expect.objectContaining({ id: itemId, owner: USER }));
      expect(ok(await get(`/sharing/rest/content/items/${itemId}/data`, {}, token)).nbformat).toBe(4);
    });

    it('#21-#23 createGroup with its many fields, then POSTs //community/groups/{id}/users and the group', async () => {
      const created = ok(
        await post('/sharing/rest/community/createGroup', {
          MAX_FILE_SIZE: '1024', access: 'org', autoJoin: 'False', capabilities: '', displaySettings: '{}', isOpenData: 'False', isViewOnly: 'False',
          isinvitationOnly: 'False', leavingDisallowed: 'False', sortField: 'title', sortOrder: 'asc', tags: 'py', title: 'Py group',
        }, token),
      );
      groupId = created.group.id;
      expect(ok(await post(`/sharing/rest//community/groups/${groupId}/users`, {}, token))).toEqual({ owner: USER, admins: [USER], users: [] });
      expect(ok(await post(`/sharing/rest/community/groups/${groupId}`, {}, token))).toEqual(expect.objectContaining({ id: groupId, title: 'Py group' }));
    });

    it('#24-#25 shareItems (groups starting with an empty entry, everyone, account), then the item with its sharing', async () => {
      const res = ok(await post(`/sharing/rest/content/users/${USER}/shareItems`, { items: itemId, groups: `,${groupId}`, everyone: 'false', account: 'true', confirmItemControl: 'false' }, token));
      expect(res).toEqual({ results: [{ itemId, success: true, notSharedWith: [] }] });
      const owned = ok(await get(`/sharing/rest/content/users/${USER}/items/${itemId}`, {}, token));
      expect(owned).toEqual({ item: expect.objectContaining({ id: itemId, access: 'org' }), sharing: { access: 'org', groups: [groupId] } });
      expect((await eventsOf(h, 'item', 'share', itemId)).map((e) => e.properties)).toEqual([{ sharedToGroups: ['Organization', groupId] }]);
      expect((await eventsOf(h, 'group', 'itemShare', groupId)).map((e) => e.properties)).toEqual([{ sharedItems: [{ itemId, itemType: 'Notebook' }] }]);
    });

    it('#26-#27 POSTs search and community/users', async () => {
      const found = ok(await post('/sharing/rest/search', { q: `id:${itemId}`, start: '1', num: '100', sortField: 'title', sortOrder: 'asc' }, token));
      expect(found).toEqual(expect.objectContaining({ total: 1, start: 1, nextStart: -1, results: [expect.objectContaining({ id: itemId })] }));
      const users = ok(await post('/sharing/rest/community/users', { q: `username:${USER}`, excludeSystemUsers: 'True', start: '1', num: '100', sortField: 'username', sortOrder: 'asc' }, token));
      expect(users.results.map((u: { username: string }) => u.username)).toEqual([USER]);
    });

    it('#28-#30 createUser, addUsers, then the owner-less share of another owner\'s item', async () => {
      ok(await post('/portaladmin/security/users/createUser', { username: 'pyother', password: 'pyother-password', email: 'o@example.org', firstname: 'O', lastname: 'Ther', provider: 'arcgis', role: 'org_user', userLicenseTypeId: 'creatorUT' }, token));
      expect(ok(await post(`/sharing/rest/community/groups/${groupId}/addUsers`, { users: 'pyother' }, token))).toEqual({ notAdded: [] });
      const other = await h.token('pyother', 'pyother-password');
      const theirs = ok(await request(tls.url).post('/sharing/rest/content/users/pyother/addItem').ca(cert.cert).set('X-Esri-Authorization', `Bearer ${other}`).type('form').send({ type: 'Notebook', title: 'Theirs', text: JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }) })).id;
      expect(ok(await post(`/sharing/rest/content/items/${theirs}/share`, { groups: groupId, everyone: 'false', account: 'false' }, token))).toEqual({ notSharedWith: [], itemId: theirs });
      expect(ok(await post(`/sharing/rest/content/items/${theirs}/unshare`, { groups: groupId }, token))).toEqual({ notUnsharedFrom: [], itemId: theirs });
      expect(await eventsOf(h, 'group', 'itemUnshare', groupId)).toHaveLength(1);
    });

    it('#32-#34 discovers the Notebook Server and reads its admin root and info at adminUrl + /admin', async () => {
      const { servers } = ok(await post('/sharing/rest/portals/self/servers', {}, token));
      const nb = servers.find((s: { serverFunction: string }) => s.serverFunction === 'NotebookServer');
      expect(nb).toEqual(expect.objectContaining({ serverType: 'ArcGIS', url: `${tls.url}/arcgis`, adminUrl: `${tls.url}/arcgis` }));
      const adminPath = `${new URL(nb.adminUrl).pathname}/admin`;
      expect(ok(await get(adminPath, {}, token))).toEqual(expect.objectContaining({ version: expect.stringMatching(/^\d+(\.\d+)+$/), resources: expect.any(Array) }));
      expect(ok(await get(`${adminPath}/info`, {}, token))).toEqual(expect.objectContaining({ currentVersion: expect.any(String) }));
    });

    it('#35-#36 executeNotebook with Python-encoded values, then the job at jobUrl', async () => {
      const res = ok(await post('/arcgis/admin/notebooks/executeNotebook', { itemId, notebookParameters: JSON.stringify({ city: 'Oslo' }), saveInjectedParameters: 'False', updatePortalItem: 'False' }, token));
      expect(res).toEqual({ status: 'success', jobId: expect.any(String), jobUrl: `${tls.url}/arcgis/admin/system/jobs/${res.jobId}` });
      expect(ok(await get(new URL(res.jobUrl).pathname, {}, token)).status).toEqual(expect.any(String));
    });

    it('#37-#38 reads the properties and updates them: the answer has status success', async () => {
      const props = ok(await get('/arcgis/admin/system/properties', {}, token));
      expect(props.maxExecuteNotebookContainersPerNode).toEqual(expect.any(Number));
      const res = ok(await post('/arcgis/admin/system/properties/update', { properties: JSON.stringify({ maxExecuteNotebookContainersPerNode: 4 }) }, token));
      expect(res.status).toBe('success');
      expect(ok(await get('/arcgis/admin/system/properties', {}, token)).maxExecuteNotebookContainersPerNode).toBe(4);
    });

    it('#64-#65 deletes the group and reads purchases at //portals/self/purchases', async () => {
      expect(ok(await post('/sharing/rest//portals/self/purchases', {}, token))).toEqual({ purchases: [] });
      const empty = ok(await post('/sharing/rest/community/createGroup', { title: 'Py empty', access: 'private' }, token)).group.id;
      expect(ok(await post(`/sharing/rest/community/groups/${empty}/delete`, {}, token))).toEqual({ success: true, groupId: empty });
    });
  });
});

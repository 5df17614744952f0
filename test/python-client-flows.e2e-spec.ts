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
});

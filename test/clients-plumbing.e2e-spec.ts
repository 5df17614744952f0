import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { WorkerNodeEntity } from '@app/db';
import { ApiHarness } from './support/api-harness';
import { bearer, expectError, ok } from './support/rest-expect';
import { selfSignedCert, serveTls, TestCert } from './support/tls';

/**
 * The portal plumbing real clients need around sign-in (HTTPS, info, discovery, POST for reads, `//`), and the rule
 * that no error answer echoes the request's query, a password or a token.
 */
describe('client plumbing', () => {
  let h: ApiHarness;
  let admin: string;
  let cert: TestCert;
  let tls: { url: string; close: () => Promise<void> };
  const https = () => request(tls.url);

  beforeAll(async () => {
    cert = selfSignedCert(mkdtempSync(join(tmpdir(), 'nba-tls-')));
    h = await ApiHarness.start({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile });
    tls = await serveTls(h.app, cert);
    admin = await h.token();
  });

  afterAll(async () => {
    await tls?.close();
    await h?.stop();
  });

  describe('no error echoes the request', () => {
    const SECRET = 'S3cr3t-Pa55word-xyz';
    const echoes = (text: string) => [SECRET, 'token=', 'password=', 'tok3n-value'].filter((s) => text.includes(s));

    it('GET generateToken with a password in the query answers 405 without it', async () => {
      const res = await h.http.get(`/sharing/rest/generateToken?username=admin&password=${SECRET}&f=json`);
      expectError(res, 405, { messageCode: 'POST_REQUIRED' });
      expect(echoes(res.text)).toEqual([]);
    });

    it('unknown routes answer 404 without the query, over GET and POST', async () => {
      const responses = [
        await h.http.get(`/sharing/rest/no/such/op?token=tok3n-value&password=${SECRET}`),
        await h.http.get(`/nowhere?token=tok3n-value`).set(bearer(admin)),
        await h.http.post(`/sharing/rest/nothing/here?token=tok3n-value`).type('form').send({ password: SECRET }),
        await h.http.delete(`/sharing/rest/generateToken?password=${SECRET}`),
      ];
      for (const res of responses) {
        expectError(res, 404, { messageCode: 'NOT_FOUND' });
        expect(echoes(res.text)).toEqual([]);
        expect(res.text).not.toContain(admin);
      }
    });

    it('a body that is not JSON is refused without quoting it', async () => {
      const res = await h.http.post('/sharing/rest/generateToken').set('Content-Type', 'application/json').send(`password=${SECRET}`);
      expectError(res, 400, { messageCode: 'BAD_JSON' });
      expect(echoes(res.text)).toEqual([]);
    });

    it('no error answer of any kind (400, 401, 403, 404, 405) quotes the query, over GET and POST', async () => {
      const user = await h.user('echocheck');
      const q = `token=tok3n-value&password=${SECRET}&sortOrder=${SECRET}&num=${SECRET}&f=json`;
      const cases: Array<[string, string, string | undefined]> = [
        ['get', `/sharing/rest/search?${q}`, admin],
        ['get', `/sharing/rest/community/users?q=${SECRET}:x&${q}`, admin],
        ['get', `/arcgis/admin/system/jobs/${'0'.repeat(32)}?${q}`, admin],
        ['get', `/arcgis/admin/system/properties?${q}`, user],
        ['get', `/arcgis/admin/system/properties/limits?${q}`, user],
        ['get', `/sharing/rest/portals/self/webhooks/triggerEvents?${q}`, user],
        ['post', `/sharing/rest/oauth2/token?${q}&grant_type=authorization_code&code=${SECRET}&client_id=nbmanager&redirect_uri=${SECRET}&code_verifier=${SECRET}`, undefined],
        ['get', `/sharing/rest/oauth2/authorize?${q}&client_id=nbmanager&response_type=code&redirect_uri=${SECRET}&code_challenge=${SECRET}&response_mode=json`, undefined],
        ['get', `/sharing/rest/portals/self?${q}`, undefined],
        ['post', `/sharing/rest/content/users/admin/items/${'0'.repeat(32)}/share?${q}`, admin],
        ['post', `/sharing/rest/oauth2/token?${q}&grant_type=${SECRET}`, undefined],
        ['get', `/sharing/rest/oauth2/authorize?${q}&client_id=${SECRET}&response_type=token&redirect_uri=${SECRET}`, undefined],
        ['post', `/sharing/oauth2/signin?${q}&oauth_state=${SECRET}&username=admin`, undefined],
        ['get', `/sharing/rest/generateToken?${q}&username=admin`, undefined],
      ];
      for (const [method, path, token] of cases) {
        const r = method === 'get' ? h.http.get(path) : h.http.post(path).type('form').send({ password: SECRET });
        const res = await (token ? r.set(bearer(token)) : r);
        expect({ path, status: res.status >= 400 }).toEqual({ path, status: true });
        expect({ path, echoes: echoes(res.text) }).toEqual({ path, echoes: [] });
      }
    });

    it('a wrong password or a bad token is refused without echoing either', async () => {
      const wrong = await h.http.post('/sharing/rest/generateToken').type('form').send({ username: 'admin', password: SECRET });
      expectError(wrong, 400);
      const badToken = await h.http.get('/sharing/rest/portals/self?token=tok3n-value');
      expectError(badToken, 401, { code: 498 });
      for (const res of [wrong, badToken]) expect(echoes(res.text)).toEqual([]);
    });
  });

  describe('HTTPS', () => {
    it('serves the same api over TLS with the certificate quickstart makes', async () => {
      expect(cert.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const res = await https().get('/sharing/rest/portals/self').ca(cert.cert).set(bearer(admin));
      expect(ok(res)).toMatchObject({ id: expect.any(String), isPortal: true, currentVersion: expect.stringMatching(/^\d+(\.\d+)+$/) });
      expect(res.body.portalHostname).toBe(new URL(tls.url).host);
    });

    it('info answers without a token, pointing to the HTTPS generateToken when asked over HTTPS', async () => {
      const overTls = ok(await https().get('/sharing/rest/info?f=json').ca(cert.cert));
      expect(overTls).toMatchObject({
        owningSystemUrl: tls.url,
        authInfo: { isTokenBasedSecurity: true, tokenServicesUrl: `${tls.url}/sharing/rest/generateToken` },
      });
      const plain = ok(await h.http.get('/sharing/rest/info?f=json'));
      expect(plain.authInfo.tokenServicesUrl).toBe(`${h.config.http.publicUrl}/sharing/rest/generateToken`);
    });

    it('hands out HTTPS jobUrls to requests that came over HTTPS', async () => {
      const item = await h.addNotebook(admin, 'admin');
      const res = await https().post('/arcgis/admin/notebooks/executeNotebook').ca(cert.cert).set(bearer(admin)).type('form').send({ itemId: item, f: 'json' });
      expect(ok(res).jobUrl).toBe(`${tls.url}/arcgis/admin/system/jobs/${res.body.jobId}`);
      const job = ok(await https().get(`/arcgis/admin/system/jobs/${res.body.jobId}`).ca(cert.cert).set(bearer(admin)));
      expect(job.jobId).toBe(res.body.jobId);
    });
  });

  describe('routing conventions', () => {
    it('every read operation answers a POST as it answers a GET', async () => {
      const item = await h.addNotebook(admin, 'admin');
      for (const path of ['/sharing/rest/portals/self', '/sharing/rest/community/users/admin', `/sharing/rest/content/items/${item}`, '/arcgis/admin/system/properties']) {
        const get = ok(await h.http.get(path).set(bearer(admin)));
        const post = ok(await h.http.post(path).set(bearer(admin)).type('form').send({ f: 'json' }));
        expect(post).toEqual(get);
      }
    });

    it('POST is still refused where only a write exists and no read does', async () => {
      expectError(await h.http.post('/sharing/rest/community/no-such-op').set(bearer(admin)).type('form').send({}), 404);
    });

    it('tolerates // in paths', async () => {
      expect(ok(await h.http.post('/sharing/rest//community/users/admin').set(bearer(admin)).type('form').send({ f: 'json' })).username).toBe('admin');
      expect(ok(await h.http.get('/sharing//rest/portals/self?f=json&x=a//b').set(bearer(admin))).isPortal).toBe(true);
    });
  });

  describe('roots and discovery', () => {
    it('POST /sharing/rest answers currentVersion, without a token', async () => {
      expect(ok(await h.http.post('/sharing/rest').type('form').send({ f: 'json' }))).toEqual({ currentVersion: expect.stringMatching(/^\d+(\.\d+)+$/) });
      expect(ok(await h.http.get('/sharing/rest?f=json')).currentVersion).toEqual(expect.any(String));
    });

    it('/portaladmin answers its root to administrators only', async () => {
      expect(ok(await h.http.get('/portaladmin?f=json').set(bearer(admin)))).toMatchObject({ currentVersion: expect.any(String) });
      const user = await h.user('plainuser1');
      expectError(await h.http.get('/portaladmin?f=json').set(bearer(user)), 403);
      expectError(await h.http.get('/portaladmin?f=json'), 401, { code: 499 });
    });

    it('portals/self/servers names the Notebook Server, with HTTPS URLs over HTTPS', async () => {
      const body = ok(await https().post('/sharing/rest/portals/self/servers').ca(cert.cert).set(bearer(admin)).type('form').send({ f: 'json' }));
      expect(body.servers).toEqual([
        expect.objectContaining({ serverType: 'ArcGIS', serverFunction: 'NotebookServer', url: `${tls.url}/arcgis`, adminUrl: `${tls.url}/arcgis` }),
      ]);
      expect(body.servers[0]).toEqual(expect.objectContaining({ id: expect.any(String), name: expect.any(String) }));
    });

    it('the admin root, info and a machine answer', async () => {
      expect(ok(await h.http.get('/arcgis/admin?f=json').set(bearer(admin)))).toMatchObject({ version: expect.stringMatching(/^\d+(\.\d+)+$/), resources: expect.any(Array) });
      expect(ok(await h.http.get('/arcgis/admin/info?f=json').set(bearer(admin)))).toMatchObject({ currentVersion: expect.any(String) });
      const now = new Date();
      await h.ds.manager.insert(WorkerNodeEntity, { name: 'node-a', cap: 4, running: 1, dockerOk: true, warmContainers: 0, startedAt: now, lastHeartbeat: now });
      expect(ok(await h.http.get('/arcgis/admin/machines/node-a?f=json').set(bearer(admin)))).toMatchObject({ machineName: 'node-a', healthcheck: true });
      expectError(await h.http.get('/arcgis/admin/machines/nope').set(bearer(admin)), 404);
    });

    it('properties/update answers status success', async () => {
      const body = ok(
        await h.http.post('/arcgis/admin/system/properties/update').set(bearer(admin)).type('form').send({ properties: JSON.stringify({ maxExecuteNotebookContainersPerNode: 3 }), f: 'json' }),
      );
      expect(body).toMatchObject({ status: 'success', maxExecuteNotebookContainersPerNode: 3 });
    });
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiHarness } from './support/api-harness';

const DIST = join(__dirname, '..', 'dist', 'apps', 'manager');

/** The api serves the built Manager (`npm run build`): redirects, cache headers, client routes. */
describe('the Manager as static files', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/apps/manager is missing: run `npm run build` first');
    h = await ApiHarness.start();
  });
  afterAll(() => h?.stop());

  it('redirects / and /arcgis/manager to /arcgis/manager/', async () => {
    for (const path of ['/', '/arcgis/manager']) {
      const res = await h.http.get(path);
      expect({ status: res.status, location: res.headers.location }).toEqual({ status: 302, location: '/arcgis/manager/' });
    }
  });

  it('serves index.html without caching it, for the app and for its client routes', async () => {
    for (const path of ['/arcgis/manager/', '/arcgis/manager/tasks', '/arcgis/manager/tasks/admin/0123/edit']) {
      const res = await h.http.get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self'");
      expect(res.text).toContain('<div id="root"></div>');
    }
  });

  it('serves hashed assets with a year-long immutable cache; a missing one is a 404, not the page', async () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const script = /src="(\/arcgis\/manager\/assets\/[^"]+\.js)"/.exec(html)![1];
    expect(script).toMatch(/index-[\w-]{8,}\.js$/);
    const res = await h.http.get(script);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const head = await h.http.head(script);
    expect(head.status).toBe(200);
    const missing = await h.http.get('/arcgis/manager/assets/index-00000000.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/json/);
  });

  it('leaves the API alone', async () => {
    expect((await h.http.get('/health')).status).toBe(200);
    expect((await h.http.get('/sharing/rest/portals/self')).status).toBe(401);
    expect((await h.http.post('/arcgis/manager/').send({})).status).toBe(404);
  });
});

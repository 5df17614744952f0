import { isCatchAll } from '@app/rest';
import { ApiHarness } from './support/api-harness';
import { nb } from './support/notebooks';

/**
 * Bad input never gets a 5xx and never changes a stored row. Every route the api registers (read from Express
 * after Nest built it, so routes added later are fuzzed too) gets hostile path segments, query values and bodies.
 */
describe('request fuzzer over every route', () => {
  let h: ApiHarness;
  let admin: string;
  let itemId: string;

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
    itemId = await h.addNotebook(admin, 'admin', nb());
  });
  afterAll(async () => h?.stop());

  /** method + path of every route, from the Express router Nest filled. */
  const routes = (): Array<{ method: string; path: string }> => {
    type Router = { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
    const express = h.app.getHttpAdapter().getInstance() as { router?: Router; _router?: Router };
    const router = (express.router ?? express._router)!; // Express 5 : 4
    const out: Array<{ method: string; path: string }> = [];
    for (const layer of router.stack) {
      // Catch-all routes are middleware Nest mounts as routes (request logs, the Manager's files), under every method.
      if (!layer.route || isCatchAll(layer.route.path)) continue;
      for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.push({ method: m, path: layer.route.path });
    }
    return out;
  };

  /** A checksum of every table's rows: a refused request must leave it as it was. */
  const checksum = async (): Promise<string> => {
    const tables = (await h.ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY 1`)) as Array<{ tablename: string }>;
    const parts: string[] = [];
    for (const { tablename } of tables) {
      const [r] = await h.ds.query(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS s FROM "${tablename}" t`);
      parts.push(`${tablename}:${r.s}`);
    }
    return parts.join(',');
  };

  const hostile = [
    '\u0000',
    'a\u0000b',
    '1e20',
    '2147483648',
    '-2147483649',
    '99999999999999999999999',
    'NaN',
    'Infinity',
    '-1',
    '0',
    '__proto__',
    'constructor',
    '{"constructor":1}',
    '{"__proto__":{"x":1}}',
    '{"x":"\\u0000"}',
    '[]',
    '{}',
    'null',
    '"',
    '%',
    'x'.repeat(5000),
    '../../etc/passwd',
    '😀',
    '\ud800',
  ];
  const paramNames = [
    'f', 'start', 'num', 'q', 'sortField', 'sortOrder', 'itemId', 'id', 'title', 'type', 'text', 'tags', 'username', 'password', 'email',
    'role', 'properties', 'notebookParameters', 'executionTimeoutInMinutes', 'updatePortalItem', 'maxOccurrences', 'startDate', 'endDate',
    'cronSchedule', 'parameters', 'name', 'url', 'events', 'config', 'groups', 'users', 'everyone', 'org', 'items', 'targetUsername',
    'description', 'snippet', 'access', 'detail', 'sortByDate', 'timeZone', 'second', 'expiration', 'payloadUrl', 'secret', 'active',
    'requestId', 'retryOnInfrastructureFailure', 'fullname', 'userLicenseTypeId', 'protected', 'file',
  ];
  /** A lone surrogate has no UTF-8 form: send the bytes a broken client would (invalid UTF-8). */
  const enc = (s: string) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return '%ED%A0%80';
    }
  };
  const pathValue = (i: number) => [encodeURIComponent('\u0000'), '1e20', '__proto__', 'constructor', encodeURIComponent('x'.repeat(300)), '%', itemId][i % 7];

  it("the issue's examples each get a 400 in the error format naming the field, and change nothing", async () => {
    const auth = { Authorization: `Bearer ${admin}` };
    const tasks = '/sharing/rest/community/users/admin/tasks/createTask';
    const task = { title: 't', itemId, minute: '*', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '?', f: 'json' };
    const cases: Array<[string, () => import('supertest').Test, RegExp]> = [
      ['NUL in the path', () => h.http.get('/sharing/rest/content/items/%00').set(auth), /path/],
      ['maxOccurrences beyond 32 bits', () => h.http.post(tasks).set(auth).type('form').send({ ...task, maxOccurrences: '2147483648' }), /maxOccurrences/],
      ['startDate beyond dates', () => h.http.post(tasks).set(auth).send({ ...task, startDate: 1e20 }), /startDate/],
      ['start=1e20 on a listing', () => h.http.get('/sharing/rest/community/users/admin/tasks?start=100000000000000000000&f=json').set(auth), /start/],
      ['a NUL escaped in notebookParameters', () =>
        h.http.post('/arcgis/admin/notebooks/executeNotebook').set(auth).type('form').send({ itemId, notebookParameters: '{"x":"\\u0000"}' }), /notebookParameters/],
      ['a prototype key in properties', () =>
        h.http.post('/arcgis/admin/system/properties/update').set(auth).type('form').send({ properties: '{"constructor":1}' }), /constructor/],
      ['multipart with an empty boundary', () =>
        h.http.post('/sharing/rest/content/users/admin/addItem').set(auth).set('Content-Type', 'multipart/form-data; boundary=').send('--\r\n'), /./],
    ];
    for (const [what, send, field] of cases) {
      const before = await checksum();
      const res = await send();
      expect({ what, status: res.status }).toEqual({ what, status: 400 });
      expect(res.body.error).toMatchObject({ code: 400, message: expect.stringMatching(field) });
      expect(await checksum()).toBe(before);
    }
  });

  it('no 5xx and no changed rows for refused requests, over every registered route', async () => {
    const all = routes();
    expect(all.length).toBeGreaterThan(40);
    const failures: string[] = [];
    let before = await checksum();
    let n = 0;
    for (const { method, path } of all) {
      for (let v = 0; v < hostile.length; v++) {
        const url = path.replace(/:[A-Za-z_]+/g, () => pathValue(v));
        const value = hostile[v];
        const params: Record<string, string> = {};
        for (const p of paramNames) params[p] = value;
        const q = `?${paramNames.slice(0, 20).map((p) => `${p}=${enc(value)}`).join('&')}`;
        let req = (h.http as unknown as Record<string, (u: string) => import('supertest').Test>)[method](url + (v % 2 ? q : '')).set('Authorization', `Bearer ${admin}`);
        if (method !== 'get' && method !== 'head') {
          if (v % 3 === 0) req = req.type('form').send(params);
          else if (v % 3 === 1) req = req.set('Content-Type', 'application/json').send(JSON.stringify(params));
          else req = req.set('Content-Type', 'multipart/form-data; boundary=').send('--\r\n');
        }
        const res = await req;
        n++;
        if (res.status >= 500) failures.push(`${res.status} ${method.toUpperCase()} ${path} [${JSON.stringify(value).slice(0, 40)}] ${JSON.stringify(res.body).slice(0, 200)}`);
        if (res.status >= 400) {
          const after = await checksum();
          if (after !== before) failures.push(`rows changed by refused ${method.toUpperCase()} ${path} [${JSON.stringify(value).slice(0, 40)}] → ${res.status}`);
          before = after;
        } else {
          // Accepted: it may change rows, also just after answering (events, hooks); settle, then take a new baseline.
          if (method !== 'get') await new Promise((r) => setTimeout(r, 300));
          before = await checksum();
        }
      }
    }
    expect({ requests: n, failures }).toEqual({ requests: n, failures: [] });
  }, 600_000);
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { Application } from 'express';
import { ApiHarness } from './support/api-harness';

jest.setTimeout(120_000);

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema: object }> }>; security?: unknown[] }>>;
  components: { responses: Record<string, { content: Record<string, { schema: object }> }>; schemas: Record<string, object> };
};

/** Every route the api registered, read from Express itself (not from the generator), as `METHOD /openapi/{path}`. */
function registeredRoutes(app: Application): string[] {
  const router = (app as unknown as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } }).router ?? (app as unknown as { _router: { stack: Layer[] } })._router;
  const out = new Set<string>();
  for (const layer of router.stack) {
    // Catch-alls are middleware Nest mounts on every path (nestjs-pino's request logger), not routes.
    if (!layer.route || /^\/?\{?\*/.test(layer.route.path)) continue;
    for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.add(`${m.toUpperCase()} ${layer.route.path.replace(/[:*](\w+)/g, '{$1}')}`);
  }
  return [...out].sort();
}
interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * The OpenAPI document: valid OpenAPI 3.1, complete (every registered route, each with its declared answer), and
 * true for errors (sample error answers validate); test/openapi-samples.e2e-spec.ts checks a real answer of every route.
 */
describe('OpenAPI document', () => {
  let h: ApiHarness;
  let doc: Doc;
  let admin: string;

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
    const res = await h.http.get('/api/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('validates against the OpenAPI 3.1 schema (@seriousme/openapi-schema-validator, offline)', () => {
    expect(doc.openapi).toBe('3.1.0');
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    // The validator is an ES module; it runs in its own node process.
    const cli = require.resolve('@seriousme/openapi-schema-validator/package.json').replace(/package\.json$/, 'bin/validate-api-cli.js');
    const r = spawnSync(process.execPath, [cli, file], { encoding: 'utf8' });
    const result = JSON.parse(r.stdout);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('has every route the api registered, derived from Express, so routes added later are covered too', () => {
    const registered = registeredRoutes(h.app.getHttpAdapter().getInstance());
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    expect(registered.length).toBeGreaterThan(50);
    expect(registered.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((d) => !registered.includes(d))).toEqual([]);
  });

  it('declares the answer of every route (`@Returns`/`@ReturnsMedia`/`@Refuses`): JSON with its schema, or its media type', () => {
    const undeclared: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const answers = Object.entries(op.responses).filter(([status]) => !/XX$/.test(status));
        const declared = answers.some(([, a]) => a.content && !a.content['*/*'] && Object.values(a.content).every((c) => c.schema && Object.keys(c.schema).length));
        if (!declared) undeclared.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(undeclared).toEqual([]);
    const media = (path: string, status = '200') => Object.keys(doc.paths[path].get.responses[status].content ?? {});
    expect(media('/arcgis/admin/system/jobs/{jobId}/events')).toEqual(['text/event-stream']);
    expect(media('/arcgis/admin/system/jobs/{jobId}/snapshot')).toEqual(['text/html']);
    expect(media('/arcgis/admin/system/jobs/{jobId}/notebook')).toEqual(['application/x-ipynb+json']);
    expect(media('/arcgis/admin/system/jobs/{jobId}/files/{name}')).toEqual(['application/octet-stream']);
    expect(media('/metrics')).toEqual(['text/plain']);
    expect(media('/ready', '503')).toEqual(['application/json']);
    expect(Object.keys(doc.paths['/sharing/oauth2/signin'].post.responses)).toEqual(['200', '302', '4XX', '5XX']);
    expect(doc.paths['/sharing/rest/generateToken'].get.responses['405'].content!['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  });

  it('documents parameters from the zod schemas, form encodings, security and errors', () => {
    const create = doc.paths['/sharing/rest/community/users/{username}/tasks/createTask'].post as unknown as {
      parameters: Array<{ name?: string; in?: string }>;
      requestBody: { content: Record<string, { schema: { properties: Record<string, { anyOf?: unknown[]; allOf?: unknown[] }>; required: string[] } }> };
    };
    expect(create.parameters).toContainEqual({ name: 'username', in: 'path', required: true, schema: { type: 'string' } });
    const body = create.requestBody.content['application/x-www-form-urlencoded'].schema;
    expect(Object.keys(create.requestBody.content)).toEqual(['application/x-www-form-urlencoded', 'application/json']);
    expect(body.required).toEqual(expect.arrayContaining(['title', 'itemId', 'minute']));
    // zInt.pipe(range): an integer that is also within the range.
    // (zInt is also a safe integer: the bounds it checks are documented.)
    const safe = { minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };
    expect(body.properties.maxRetries).toEqual({ allOf: [{ type: 'integer', ...safe }, { type: 'number', minimum: 0, maximum: 10 }] });
    // A JSON field is the object, or the same as a JSON string in a form.
    expect(body.properties.notifications.anyOf).toHaveLength(2);
    expect(Object.keys(doc.paths['/sharing/rest/content/users/{username}/addItem'].post as object)).toContain('requestBody');
    expect(doc.paths['/sharing/rest/generateToken'].post.security).toEqual([]);
    expect(doc.paths['/arcgis/admin/system/jobs'].get.security).toBeUndefined();
    expect(doc.paths['/arcgis/admin/system/jobs'].get.responses['4XX']).toEqual({ $ref: '#/components/responses/Error' });
  });

  it('sample answers of every route validate against the document', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
    const errorSchema = doc.components.schemas.Error;
    const problems: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        // Safe sample calls: GETs as the administrator on its own things; changes name things that do not exist.
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
          name === 'username' ? (method === 'get' ? 'admin' : 'nobody-here') : name === 'orgId' ? 'self' : '0'.repeat(32),
        );
        const res = await (method === 'get' ? h.http.get(url) : h.http.post(url).type('form').send({})).set('Authorization', `Bearer ${admin}`);
        const status = String(res.status);
        const documented = op.responses[status] ?? op.responses[`${status[0]}XX`];
        if (!documented) {
          problems.push(`${method.toUpperCase()} ${path}: status ${status} not documented`);
          continue;
        }
        const content = documented.$ref ? { 'application/json': { schema: errorSchema } } : (documented.content ?? {});
        const json = content['application/json'];
        if (!json || !/json/.test(String(res.headers['content-type']))) continue;
        // The document's own references, resolved in the document.
        const validate = ajv.compile(JSON.parse(JSON.stringify(json.schema).replace(/"#\/components\//g, '"doc#/components/')));
        if (!validate(res.body)) problems.push(`${method.toUpperCase()} ${path} ${status}: ${ajv.errorsText(validate.errors)}`);
        checked++;
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('serves a self-contained HTML reference at /api/docs', async () => {
    const res = await h.http.get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.text).toContain('/sharing/rest/community/users/{username}/tasks/{taskId}/run');
    expect(res.text).not.toMatch(/<script|https?:\/\/(?!localhost)[a-z]/i);
  });
});

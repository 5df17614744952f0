import { createHmac } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import type { Response } from 'supertest';
import { ApiHarness } from './support/api-harness';
import { printing } from './support/notebooks';
import { testSecret } from './support/test-logs';
import { TestReceiver } from './support/webhook-receiver';
import { eventually, startWorker } from './support/worker-harness';

jest.setTimeout(300_000);

type Answer = { $ref?: string; description?: string; content?: Record<string, { schema: object }> };
type Doc = { paths: Record<string, Record<string, { responses: Record<string, Answer> }>>; components: { schemas: Record<string, object> } };

interface Call {
  method: 'get' | 'post';
  /** The document's path template. */
  path: string;
  url: string;
  /** A form (default), or `json`/`raw` bodies. */
  body?: Record<string, unknown>;
  json?: boolean;
  raw?: { type: string; text: string };
  /** The caller's token; null: none. Default: the administrator's. */
  token?: string | null;
  headers?: Record<string, string>;
}

const OOB = 'urn:ietf:wg:oauth:2.0:oob';
const RECEIVER_SECRET = testSecret('openapi-receiver-secret-0123456789abcdef', 'openapi: receiver secret');

/**
 * Every route of the OpenAPI document, called once with real data (table-driven, in order: what one call creates
 * the next uses), its answer checked against the document: the status is one it declares, the media type is the
 * declared one, and a JSON body validates against the declared schema. A route of the document without a validated
 * sample fails the test, so a route added later must be added here too.
 */
describe('OpenAPI document: a validated sample answer of every route', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let receiver: TestReceiver;
  let doc: Doc;
  let admin: string;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const compiled = new Map<object, ValidateFunction>();
  const sampled = new Set<string>();
  const problems: string[] = [];

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    h = await ApiHarness.start({ HEARTBEAT_SECONDS: '1', WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1' });
    worker = await startWorker(h.config);
    admin = await h.token();
    doc = (await h.http.get('/api/openapi.json')).body;
    ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  });

  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await receiver?.stop();
  });

  const validator = (schema: object) => {
    let v = compiled.get(schema);
    if (!v) compiled.set(schema, (v = ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/')))));
    return v;
  };

  /** Makes the call and checks its answer against the document; records what is wrong, and answers the response. */
  async function sample(c: Call): Promise<Response> {
    const key = `${c.method.toUpperCase()} ${c.path}`;
    const op = doc.paths[c.path]?.[c.method];
    let req = c.method === 'get' ? h.http.get(c.url) : h.http.post(c.url);
    if (c.token !== null) req = req.set('Authorization', `Bearer ${c.token ?? admin}`);
    for (const [name, value] of Object.entries(c.headers ?? {})) req = req.set(name, value);
    req = req.redirects(0).buffer(true);
    const res = c.raw ? await req.set('Content-Type', c.raw.type).send(c.raw.text) : c.json ? await req.send(c.body ?? {}) : c.method === 'post' ? await req.type('form').send(c.body ?? {}) : await req;
    if (!op) {
      problems.push(`${key}: not in the document`);
      return res;
    }
    const answer = op.responses[String(res.status)];
    const refused = res.status >= 400 && !!answer && !answer.$ref;
    if (!answer || (res.status >= 400 && !refused)) {
      problems.push(`${key}: answered ${res.status}, not a declared answer: ${String(res.text).slice(0, 300)}`);
      return res;
    }
    if (res.status === 302) {
      if (!res.headers.location) problems.push(`${key}: 302 without a Location`);
      sampled.add(key);
      return res;
    }
    const [media, declared] = Object.entries(answer.content ?? {})[0] ?? [];
    const type = String(res.headers['content-type'] ?? '');
    if (!media || !type.startsWith(media)) {
      problems.push(`${key}: answered ${type || 'no content type'}, the document says ${media}`);
      return res;
    }
    if (/json/.test(media)) {
      const body = typeof res.body === 'object' && !Buffer.isBuffer(res.body) && Object.keys(res.body).length ? res.body : JSON.parse(res.text ?? String(res.body));
      const validate = validator(declared.schema);
      if (!validate(body)) {
        problems.push(`${key}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 400)}`);
        return res;
      }
    }
    sampled.add(key);
    return res;
  }

  const get = (path: string, url = path, more: Partial<Call> = {}) => sample({ method: 'get', path, url, ...more });
  const post = (path: string, url: string, body: Record<string, unknown> = {}, more: Partial<Call> = {}) => sample({ method: 'post', path, url, body, ...more });
  const job = (id: string) =>
    eventually(async () => {
      const j = (await h.http.get(`/arcgis/admin/system/jobs/${id}`).set('Authorization', `Bearer ${admin}`)).body;
      return ['COMPLETED', 'FAILED'].includes(j.status) && j;
    }, 120_000);

  it('every route answers as the document says', async () => {
    // Server, portal and token basics.
    await get('/health');
    await get('/ready');
    await get('/metrics');
    await get('/api/openapi.json', undefined, { token: null });
    await get('/api/docs', undefined, { token: null });
    await get('/sharing/rest', undefined, { token: null });
    await get('/sharing/rest/info', undefined, { token: null });
    await post('/sharing/rest/generateToken', '/sharing/rest/generateToken', { username: 'admin', password: 'admin-password', f: 'json' }, { token: null });
    await get('/sharing/rest/generateToken', '/sharing/rest/generateToken', { token: null });
    await get('/portaladmin');
    await get('/sharing/rest/portals/self');
    await get('/sharing/rest/portals/self/servers');
    await get('/sharing/rest/portals/self/purchases');
    await get('/sharing/rest/portals/self/userLicenseTypes');
    await get('/sharing/rest/community/self');
    await get('/arcgis/admin');
    await get('/arcgis/admin/info');
    await get('/arcgis/admin/system/properties');
    await get('/arcgis/admin/system/properties/limits');
    await post('/arcgis/admin/system/properties/update', '/arcgis/admin/system/properties/update', { properties: JSON.stringify({ TaskRunHistoryCount: 30 }) });
    const node = h.config.nodeName;
    await eventually(async () => (await h.http.get(`/arcgis/admin/machines/${node}`).set('Authorization', `Bearer ${admin}`)).status === 200, 30_000);
    await get('/arcgis/admin/machines');
    await get('/arcgis/admin/machines/{name}', `/arcgis/admin/machines/${node}`);
    await get('/arcgis/admin/machines/{name}/status', `/arcgis/admin/machines/${node}/status`);

    // Users.
    const U = '/sharing/rest/community/users';
    await post('/portaladmin/security/users/createUser', '/portaladmin/security/users/createUser', {
      username: 'pete',
      password: testSecret('pete-openapi-password', 'openapi: pete'),
      fullname: 'Pete',
      email: 'pete@example.org',
      role: 'org_user',
    });
    const olga = await h.user('olga', 'org_user', { privileges: 'createNotebooks,scheduleNotebooks' });
    const pete = await h.token('pete', 'pete-openapi-password');
    await get(`${U}/{username}`, `${U}/pete`);
    await post(`${U}/{username}/update`, `${U}/pete/update`, { fullname: 'Pete P' });
    await post(`${U}/{username}/disable`, `${U}/pete/disable`);
    await post(`${U}/{username}/enable`, `${U}/pete/enable`);
    await post('/sharing/rest/portals/self/users/bulkDisable', '/sharing/rest/portals/self/users/bulkDisable', { users: 'pete' });
    await post('/sharing/rest/portals/self/users/bulkEnable', '/sharing/rest/portals/self/users/bulkEnable', { users: 'pete' });
    await post('/sharing/rest/portals/self/updateUserLicenseType', '/sharing/rest/portals/self/updateUserLicenseType', { users: 'pete', userLicenseType: 'creatorUT' });
    await get('/sharing/rest/portals/self/users');
    await get('/sharing/rest/portals/self/users/search', '/sharing/rest/portals/self/users/search?q=pete');
    await get(U, `${U}?q=pete`, { token: olga });

    // Custom roles.
    const R = '/sharing/rest/portals/{orgId}';
    const role = (await post(`${R}/createRole`, '/sharing/rest/portals/self/createRole', { name: 'Runner', description: 'runs notebooks', privileges: JSON.stringify({ privileges: ['premium:user:createNotebooks'] }) })).body.id;
    await get(`${R}/roles`, '/sharing/rest/portals/self/roles');
    await get(`${R}/roles/{id}`, `/sharing/rest/portals/self/roles/${role}`);
    await get(`${R}/roles/{id}/privileges`, `/sharing/rest/portals/self/roles/${role}/privileges`);
    await post(`${R}/roles/{id}/update`, `/sharing/rest/portals/self/roles/${role}/update`, { description: 'runs them' });
    await post(`${R}/roles/{id}/setPrivileges`, `/sharing/rest/portals/self/roles/${role}/setPrivileges`, { privileges: JSON.stringify({ privileges: ['premium:user:createNotebooks', 'portal:user:createItem'] }) });
    await post(`${R}/roles/{id}/assign`, `/sharing/rest/portals/self/roles/${role}/assign`, { users: 'pete' });
    await post('/sharing/rest/portals/self/updateuserrole', '/sharing/rest/portals/self/updateuserrole', { user: 'pete', role: 'org_user' });

    // Groups and their members.
    const G = '/sharing/rest/community/groups/{id}';
    const group = (await post('/sharing/rest/community/createGroup', '/sharing/rest/community/createGroup', { title: 'Analysts', access: 'org' })).body.group.id as string;
    const g = `/sharing/rest/community/groups/${group}`;
    await get(G, g);
    await get(`${G}/users`, `${g}/users`);
    await get('/sharing/rest/community/groups', '/sharing/rest/community/groups?q=Analysts');
    await post(`${G}/invite`, `${g}/invite`, { users: 'olga' });
    await post(`${G}/addUsers`, `${g}/addUsers`, { users: 'olga' });
    await post(`${G}/updateUsers`, `${g}/updateUsers`, { admins: 'olga' });
    await post(`${G}/removeUsers`, `${g}/removeUsers`, { users: 'olga' });
    await post(`${G}/join`, `${g}/join`, {}, { token: olga });
    await post(`${G}/join`, `${g}/join`, {}, { token: pete });
    await get(`${G}/applications`, `${g}/applications`);
    await post(`${G}/applications/{username}/accept`, `${g}/applications/olga/accept`);
    await post(`${G}/applications/{username}/decline`, `${g}/applications/pete/decline`);
    await post(`${G}/update`, `${g}/update`, { snippet: 'people who analyse' });
    await post(`${G}/protect`, `${g}/protect`);
    await post(`${G}/unprotect`, `${g}/unprotect`);

    // Items, sharing and comments; the notebook writes an output file.
    const C = '/sharing/rest/content/users/{username}';
    const notebook = printing('open("out.txt", "w").write("hello")\nprint("wrote")');
    const itemId = (await post(`${C}/addItem`, '/sharing/rest/content/users/admin/addItem', { type: 'Notebook', title: 'report', text: JSON.stringify(notebook) })).body.id as string;
    const item = `/sharing/rest/content/users/admin/items/${itemId}`;
    await get(C, '/sharing/rest/content/users/admin');
    await get('/sharing/rest/content/items/{id}', `/sharing/rest/content/items/${itemId}`);
    await get('/sharing/rest/content/items/{id}/data', `/sharing/rest/content/items/${itemId}/data`);
    await get(`${C}/items/{id}`, item);
    await post(`${C}/items/{id}/update`, `${item}/update`, { snippet: 'nightly' });
    await post(`${C}/items/{id}/share`, `${item}/share`, { org: 'true', groups: group });
    await post(`${C}/items/{id}/unshare`, `${item}/unshare`, { groups: group });
    await post('/sharing/rest/content/items/{id}/share', `/sharing/rest/content/items/${itemId}/share`, { groups: group });
    await post('/sharing/rest/content/items/{id}/unshare', `/sharing/rest/content/items/${itemId}/unshare`, { groups: group });
    await post(`${C}/shareItems`, '/sharing/rest/content/users/admin/shareItems', { items: itemId, groups: group });
    await get('/sharing/rest/content/groups/{groupId}/search', `/sharing/rest/content/groups/${group}/search?q=`);
    await post(`${C}/unshareItems`, '/sharing/rest/content/users/admin/unshareItems', { items: itemId, groups: group });
    await get('/sharing/rest/search', '/sharing/rest/search?q=report');
    await post(`${C}/items/{id}/move`, `${item}/move`, { folder: 'reports' });
    const M = '/sharing/rest/content/items/{itemId}';
    const commentId = (await post(`${M}/addComment`, `/sharing/rest/content/items/${itemId}/addComment`, { comment: 'looks good' })).body.commentId as string;
    await get(`${M}/comments`, `/sharing/rest/content/items/${itemId}/comments`);
    await get(`${M}/comments/{id}`, `/sharing/rest/content/items/${itemId}/comments/${commentId}`);
    await post(`${M}/comments/{id}/update`, `/sharing/rest/content/items/${itemId}/comments/${commentId}/update`, { comment: 'looks great' });
    await post(`${M}/comments/{id}/delete`, `/sharing/rest/content/items/${itemId}/comments/${commentId}/delete`);

    // A run and everything it leaves.
    const J = '/arcgis/admin/system/jobs/{jobId}';
    const jobId = (await post('/arcgis/admin/notebooks/executeNotebook', '/arcgis/admin/notebooks/executeNotebook', { itemId, updatePortalItem: 'false' })).body.jobId as string;
    expect((await job(jobId)).status).toBe('COMPLETED');
    const j = `/arcgis/admin/system/jobs/${jobId}`;
    await get('/arcgis/admin/system/jobs', '/arcgis/admin/system/jobs?detail=true');
    await get(J, j);
    await get(`${J}/events`, `${j}/events`);
    await get(`${J}/snapshot`, `${j}/snapshot`);
    await get(`${J}/notebook`, `${j}/notebook`);
    await get(`${J}/files/{name}`, `${j}/files/out.txt`);
    await get(`${J}/cancel`, `${j}/cancel`);
    await post(`${J}/cancel`, `${j}/cancel`);

    // Tasks.
    const T = '/sharing/rest/community/users/{username}/tasks';
    const t = '/sharing/rest/community/users/admin/tasks';
    const schedule = { minute: '0', hour: '0', dayOfMonth: '1', month: '1', dayOfWeek: '?' };
    await get(`${T}/previewSchedule`, `${t}/previewSchedule?minute=0&hour=6&dayOfMonth=*&month=*&dayOfWeek=?`);
    await post(`${T}/previewSchedule`, `${t}/previewSchedule`, schedule);
    const taskId = (await post(`${T}/createTask`, `${t}/createTask`, { title: 'nightly', itemId, ...schedule, parameters: JSON.stringify({ updatePortalItem: false }) })).body.taskId as string;
    await get(T, t);
    await get(`${T}/{taskId}`, `${t}/${taskId}`);
    await post(`${T}/{taskId}/update`, `${t}/${taskId}/update`, { title: 'nightly report' });
    const now = (await post(`${T}/{taskId}/run`, `${t}/${taskId}/run`)).body;
    expect((await job(now.jobId)).status).toBe('COMPLETED');
    await get(`${T}/{taskId}/runs`, `${t}/${taskId}/runs`);
    await eventually(async () => (await h.http.get(`${t}/${taskId}/runs/${now.runId}`).set('Authorization', `Bearer ${admin}`)).body.status === 'succeeded', 30_000);
    await get(`${T}/{taskId}/runs/{runId}`, `${t}/${taskId}/runs/${now.runId}`);
    await post(`${T}/{taskId}/disable`, `${t}/${taskId}/disable`);
    await post(`${T}/{taskId}/enable`, `${t}/${taskId}/enable`);
    await get('/arcgis/admin/notebooks/tasks');
    await post(`${T}/{taskId}/runs/{runId}/delete`, `${t}/${taskId}/runs/${now.runId}/delete`);
    await post(`${T}/{taskId}/delete`, `${t}/${taskId}/delete`);

    // Runtimes.
    const RT = '/arcgis/admin/notebooks/runtimes';
    const runtimes = (await get(RT)).body.runtimes as Array<{ id: string; imageId: string }>;
    const rt = runtimes[0];
    await get(`${RT}/{id}`, `${RT}/${rt.id}`);
    await eventually(async () => (await h.http.get(`${RT}/${rt.id}/manifest`).set('Authorization', `Bearer ${admin}`)).status === 200, 60_000);
    await get(`${RT}/{id}/manifest`, `${RT}/${rt.id}/manifest`);
    const copy = (await post(`${RT}/register`, `${RT}/register`, { name: 'Copy', version: '1.0', imageId: rt.imageId })).body.id as string;
    await post(`${RT}/{id}/update`, `${RT}/${copy}/update`, { maxCpu: '1' });
    await post(`${RT}/{id}/unregister`, `${RT}/${copy}/unregister`);
    await post(`${RT}/restore`, `${RT}/restore`);

    // Webhooks: one whose receiver fails, so there is a failed record to redeliver and recover.
    const W = '/sharing/rest/portals/{orgId}/webhooks';
    const w = '/sharing/rest/portals/self/webhooks';
    await get(`${W}/settings`, `${w}/settings`);
    await get(`${W}/triggerEvents`, `${w}/triggerEvents`);
    await post(`${W}/settings/update`, `${w}/settings/update`, { notificationAttempts: '1', notificationTimeOutInSeconds: '5', notificationElapsedTimeInSeconds: '1' });
    receiver.respond('/hook', [500]);
    const hook = (await post(`${W}/createWebhook`, `${w}/createWebhook`, { name: 'items', url: receiver.url('/hook'), changes: 'allChanges', events: '/items' })).body.webhook.id as string;
    await h.http.post(`${item}/update`).set('Authorization', `Bearer ${admin}`).type('form').send({ snippet: 'changed' });
    const failed = await eventually(async () => {
      const s = (await h.http.get(`${w}/${hook}/notificationStatus`).set('Authorization', `Bearer ${admin}`)).body;
      return s.WebhookStatus?.find((d: { status: string }) => d.status === 'failed');
    }, 60_000);
    await get(W, w);
    await get(`${W}/{id}`, `${w}/${hook}`);
    await get(`${W}/{id}/notificationStatus`, `${w}/${hook}/notificationStatus`);
    await post(`${W}/{id}/notificationStatus`, `${w}/${hook}/notificationStatus`);
    await post(`${W}/{id}/notificationStatus/{recordId}/redeliver`, `${w}/${hook}/notificationStatus/${failed.id}/redeliver`);
    await post(`${W}/{id}/deactivate`, `${w}/${hook}/deactivate`);
    await post(`${W}/{id}/activate`, `${w}/${hook}/activate`);
    await post(`${W}/{id}/recover`, `${w}/${hook}/recover`, { since: '0' });
    await post(`${W}/{id}/rotateSecret`, `${w}/${hook}/rotateSecret`);
    await post(`${W}/{id}/update`, `${w}/${hook}/update`, { name: 'all items' });
    const event = { username: 'remote-admin', when: 1543192196521, operation: 'update', source: 'item', id: 'c'.repeat(32), properties: {} };
    await post(`${W}/events/ingest`, `${w}/events/ingest`, { events: [event] }, { json: true });
    await post(`${W}/{id}/delete`, `${w}/${hook}/delete`);

    // Inbound receivers.
    const IR = '/arcgis/admin/notebooks/webhookReceivers';
    const inbound = (await post(`${IR}/create`, `${IR}/create`, { name: 'inbound', itemId, secret: RECEIVER_SECRET, signatureHeaders: 'x-esrihook-signature' })).body.webhookReceiver;
    await get(IR);
    await get(`${IR}/{id}`, `${IR}/${inbound.id}`);
    await post(`${IR}/{id}/update`, `${IR}/${inbound.id}/update`, { name: 'inbound 2' });
    const payload = JSON.stringify({ hello: 'world' });
    const signature = createHmac('sha256', RECEIVER_SECRET).update(payload).digest('base64');
    const received = await sample({
      method: 'post',
      path: '/arcgis/webhooks/receivers/{id}',
      url: new URL(inbound.url).pathname,
      raw: { type: 'application/json', text: payload },
      token: null,
      headers: { 'x-esrihook-signature': signature },
    });
    await job(received.body.jobId);
    await post(`${IR}/{id}/delete`, `${IR}/${inbound.id}/delete`);

    // OAuth2: the code flow of the product's desktop clients, at both of each route's paths.
    const codeVia = async (authorize: string, signin: string) => {
      const page = await get(authorize, `${authorize}?response_type=code&client_id=arcgispro&redirect_uri=${encodeURIComponent(OOB)}`, { token: null });
      const state = /"oauth_state":"([^"]+)"/.exec(page.text)?.[1];
      const done = await post(signin, signin, { oauth_state: state, authorize: 'true', username: 'admin', password: 'admin-password' }, { token: null });
      return /<title>SUCCESS code=([^<]+)<\/title>/.exec(done.text)?.[1];
    };
    for (const base of ['/sharing/rest/oauth2', '/sharing/oauth2']) {
      const granted = await codeVia(`${base}/authorize`, `${base}/signin`);
      const tokens = (await post(`${base}/token`, `${base}/token`, { grant_type: 'authorization_code', code: granted, redirect_uri: OOB, client_id: 'arcgispro' }, { token: null })).body;
      testSecret(tokens.refresh_token ?? '', 'openapi: a refresh token');
      testSecret(tokens.access_token ?? '', 'openapi: an OAuth2 access token');
      await post(`${base}/token`, `${base}/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'arcgispro' }, { token: null });
      await get(`${base}/signout`, `${base}/signout`, { token: tokens.access_token });
      await post(`${base}/revokeToken`, `${base}/revokeToken`, { auth_token: tokens.refresh_token, client_id: 'arcgispro' }, { token: null });
    }

    // What is left goes: moved to another owner, deleted.
    await post(`${G}/reassign`, `${g}/reassign`, { targetUsername: 'olga' });
    await post(`${G}/delete`, `${g}/delete`);
    await post(`${C}/items/{id}/reassign`, `${item}/reassign`, { targetUsername: 'olga' });
    await post(`${C}/items/{id}/delete`, `/sharing/rest/content/users/olga/items/${itemId}/delete`);
    await post('/arcgis/admin/system/jobs/deleteAll', '/arcgis/admin/system/jobs/deleteAll');
    await post(`${U}/{username}/delete`, `${U}/pete/delete`);
    await post(`${R}/roles/{id}/delete`, `/sharing/rest/portals/self/roles/${role}/delete`);

    const unsampled = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((k) => !sampled.has(k))
      .map((k) => `${k}: no validated sample`);
    expect([...problems, ...unsampled]).toEqual([]);
  });
});

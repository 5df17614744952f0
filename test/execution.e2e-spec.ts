import { INestApplicationContext } from '@nestjs/common';
import type { ApiHarness } from './support/api-harness';
import { startApiAndWorker, stopApiAndWorker } from './support/api-and-worker';
import { parameterized, raising, sleeping } from './support/notebooks';
import { containersOf, eventually } from './support/worker-harness';

/** executeNotebook through the api, run by a real worker in real Docker containers. */
describe('execution engine (Postgres, Redis, BullMQ, Docker)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let admin: string;

  beforeAll(async () => ({ h, worker, admin } = await startApiAndWorker({ HEARTBEAT_SECONDS: '1' })));

  afterAll(() => stopApiAndWorker(h, worker));

  const auth = () => ({ Authorization: `Bearer ${admin}` });

  async function execute(itemId: string, extra: Record<string, unknown> = {}) {
    const res = await h.http.post('/arcgis/admin/notebooks/executeNotebook').set(auth()).type('form').send({ itemId, f: 'json', ...extra });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'success', jobId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    return res.body.jobId as string;
  }

  async function job(jobId: string) {
    return (await h.http.get(`/arcgis/admin/system/jobs/${jobId}`).set(auth())).body;
  }

  const finished = (jobId: string, timeoutMs = 90_000) =>
    eventually(async () => {
      const j = await job(jobId);
      return ['COMPLETED', 'FAILED'].includes(j.status) ? j : null;
    }, timeoutMs);

  it('runs a parameterized notebook: injected cell after the parameters cell, outputs and snapshot', async () => {
    const itemId = await h.addNotebook(admin, 'admin', parameterized());
    const jobId = await execute(itemId, { notebookParameters: JSON.stringify({ greeting: "it's me", count: 3 }), updatePortalItem: 'false' });
    const j = await finished(jobId);
    expect(j.status).toBe('COMPLETED');
    expect(j.customAttributes).toEqual({ isCancelled: false });

    const nb = (await h.http.get(`/arcgis/admin/system/jobs/${jobId}/notebook`).set(auth())).body;
    expect(nb.cells[0].metadata.tags).toEqual(['parameters']);
    expect(nb.cells[1].metadata.tags).toEqual(['injected-parameters']);
    const out = nb.cells[2].outputs.map((o: { text: string | string[] }) => [o.text].flat().join('')).join('');
    expect(out).toContain("it's me x3");
    expect(out).toContain('int');

    const html = await h.http.get(`/arcgis/admin/system/jobs/${jobId}/snapshot`).set(auth());
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.headers['content-security-policy']).toMatch(/sandbox/);
    expect(html.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(html.text).toContain('it&#39;s me x3');
    expect(j.results.snapshotUrl).toMatch(new RegExp(`/arcgis/admin/system/jobs/${jobId}/snapshot$`));
  });

  it('reports a failing cell: exception name, message and cell index; snapshot shows cells up to it', async () => {
    const itemId = await h.addNotebook(admin, 'admin', raising());
    const j = await finished(await execute(itemId));
    expect(j.status).toBe('FAILED');
    expect(j.messages.join('\n')).toContain('Error in cell 1: ValueError: boom in cell');
    const html = await h.http.get(`/arcgis/admin/system/jobs/${j.jobId}/snapshot`).set(auth());
    expect(html.text).toContain('before');
    expect(html.text).toContain('boom in cell');
    // A failed run leaves the item as it was.
    const data = await h.http.get(`/sharing/rest/content/items/${itemId}/data`).set(auth());
    expect(JSON.parse(data.text)).toEqual(raising());
  });

  it('fails a run past its timeout and removes its container', async () => {
    const itemId = await h.addNotebook(admin, 'admin', sleeping(60));
    const j = await finished(await execute(itemId, { executionTimeoutInMinutes: '0.05' }));
    expect(j.status).toBe('FAILED');
    expect(j.messages.join('\n')).toMatch(/timed out after 0.05 minutes/);
    await eventually(async () => (await containersOf(h.config.nodeName)).length === 0, 10_000);
  });

  it('cancels a running notebook within seconds', async () => {
    const itemId = await h.addNotebook(admin, 'admin', sleeping(120));
    const jobId = await execute(itemId);
    await eventually(async () => (await job(jobId)).status === 'PROCESSING');
    await eventually(async () => (await containersOf(h.config.nodeName)).length > 0);
    const cancelledAt = Date.now();
    expect((await h.http.post(`/arcgis/admin/system/jobs/${jobId}/cancel`).set(auth())).body).toEqual({ status: 'success' });
    const j = await finished(jobId, 20_000);
    expect(j.status).toBe('FAILED');
    expect(j.customAttributes.isCancelled).toBe(true);
    await eventually(async () => (await containersOf(h.config.nodeName)).length === 0, 10_000);
    // Not a timing assert on speed: just that the kill did not wait for the notebook's two minutes.
    expect(Date.now() - cancelledAt).toBeLessThan(60_000);
  });

  it('updatePortalItem saves the executed notebook without the injected cell; false leaves the item alone', async () => {
    const itemId = await h.addNotebook(admin, 'admin', parameterized());
    const untouched = await finished(await execute(itemId, { updatePortalItem: 'false', notebookParameters: '{"count": 7}' }));
    expect(untouched.status).toBe('COMPLETED');
    expect(JSON.parse((await h.http.get(`/sharing/rest/content/items/${itemId}/data`).set(auth())).text)).toEqual(parameterized());

    const saved = await finished(await execute(itemId, { notebookParameters: '{"count": 7}' }));
    expect(saved.status).toBe('COMPLETED');
    const nb = JSON.parse((await h.http.get(`/sharing/rest/content/items/${itemId}/data`).set(auth())).text);
    expect(nb.cells).toHaveLength(2);
    expect(nb.cells.some((c: { metadata: { tags?: string[] } }) => c.metadata.tags?.includes('injected-parameters'))).toBe(false);
    expect([nb.cells[1].outputs[0].text].flat().join('')).toContain('default x7');

    const kept = await finished(await execute(itemId, { notebookParameters: '{"count": 8}', saveInjectedParameters: 'true' }));
    expect(kept.status).toBe('COMPLETED');
    const nb2 = JSON.parse((await h.http.get(`/sharing/rest/content/items/${itemId}/data`).set(auth())).text);
    expect(nb2.cells[1].metadata.tags).toEqual(['injected-parameters']);
  });

  describe('bad input is refused and nothing is queued', () => {
    const jobCount = async () => (await h.ds.query('SELECT count(*)::int AS n FROM runs'))[0].n as number;

    it.each([
      ['unknown itemId', () => ({ itemId: 'f'.repeat(32) }), 404, /does not exist/],
      ['malformed itemId', () => ({ itemId: 'nope' }), 400, /itemId: must be a 32-character item id/],
      ['malformed notebookParameters', (id: string) => ({ itemId: id, notebookParameters: '{not json' }), 400, /notebookParameters: must be valid JSON/],
      ['parameters that are not an object', (id: string) => ({ itemId: id, notebookParameters: '[1,2]' }), 400, /notebookParameters/],
      ['a parameter name Python cannot bind', (id: string) => ({ itemId: id, notebookParameters: '{"not valid": 1}' }), 400, /not valid: not a valid Python variable name/],
      ['a negative timeout', (id: string) => ({ itemId: id, executionTimeoutInMinutes: '-1' }), 400, /executionTimeoutInMinutes: must be greater than 0/],
    ])('%s', async (_, params, status, message) => {
      const id = await h.addNotebook(admin, 'admin', parameterized());
      const before = await jobCount();
      const res = await h.http.post('/arcgis/admin/notebooks/executeNotebook').set(auth()).type('form').send(params(id));
      expect(res.status).toBe(status);
      expect(res.body.error.message).toMatch(message);
      expect(await jobCount()).toBe(before);
    });

    it('a parameter value with no Python literal form (JSON body with a nested NaN-like value is impossible, so a huge number)', async () => {
      const id = await h.addNotebook(admin, 'admin', parameterized());
      const res = await h.http
        .post('/arcgis/admin/notebooks/executeNotebook')
        .set(auth())
        .set('Content-Type', 'application/json')
        .send(`{"itemId":"${id}","notebookParameters":{"x":1e999}}`);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/x: Infinity has no Python literal form/);
    });

    it('a user cannot run a notebook they do not own', async () => {
      const id = await h.addNotebook(admin, 'admin', parameterized());
      const bob = await h.user('bob');
      const res = await h.http.post('/arcgis/admin/notebooks/executeNotebook').set('Authorization', `Bearer ${bob}`).type('form').send({ itemId: id });
      expect(res.status).toBe(404);
    });
  });
});

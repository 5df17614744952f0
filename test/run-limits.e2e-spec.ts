import { INestApplicationContext } from '@nestjs/common';
import type { ApiHarness } from './support/api-harness';
import { startApiAndWorker, stopApiAndWorker } from './support/api-and-worker';
import { printing } from './support/notebooks';
import { eventually } from './support/worker-harness';

/**
 * What a run may produce: its output is cut at maxRunOutputBytes with a visible note, and an executed notebook
 * larger than an upload may be is not saved back (real Postgres, Redis, BullMQ and Docker).
 * TEST_RUNTIMES lets a branch try a runner image it built under another tag.
 */
describe('run output limits', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let admin: string;

  beforeAll(async () => ({ h, worker, admin } = await startApiAndWorker({ MAX_NOTEBOOK_BYTES: String(256 * 1024), ...(process.env.TEST_RUNTIMES ? { RUNTIMES: process.env.TEST_RUNTIMES } : {}) })));
  afterAll(() => stopApiAndWorker(h, worker));

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const run = async (itemId: string, updatePortalItem: boolean) => {
    const res = await h.http.post('/arcgis/admin/notebooks/executeNotebook').set(auth()).type('form').send({ itemId, updatePortalItem: String(updatePortalItem) });
    expect(res.status).toBe(200);
    const id = res.body.jobId as string;
    return eventually(async () => {
      const j = (await h.http.get(`/arcgis/admin/system/jobs/${id}`).set(auth())).body;
      return (j.status === 'COMPLETED' || j.status === 'FAILED') && { ...j, id };
    }, 120_000, 300);
  };

  it('a notebook printing 3 MiB with maxRunOutputBytes = 1 MiB completes with its output cut and a visible note', async () => {
    const set = await h.http.post('/arcgis/admin/system/properties/update').set(auth()).type('form').send({ properties: JSON.stringify({ maxRunOutputBytes: 1024 * 1024 }) });
    expect(set.status).toBe(200);
    const itemId = await h.addNotebook(admin, 'admin', printing('for i in range(3 * 1024):\n    print("x" * 1023)'));
    const job = await run(itemId, false);
    expect(job.status).toBe('COMPLETED');
    const notebook = await h.http.get(`/arcgis/admin/system/jobs/${job.id}/notebook`).set(auth());
    expect(notebook.text.length).toBeLessThan(2 * 1024 * 1024);
    expect(notebook.text).toMatch(/output truncated: this run's output reached its limit of 1048576 bytes/);
    const snapshot = await h.http.get(`/arcgis/admin/system/jobs/${job.id}/snapshot`).set(auth());
    expect(snapshot.text).toMatch(/output truncated/);
  });

  it('an executed notebook larger than MAX_NOTEBOOK_BYTES is not saved back: the run says why and the item is unchanged', async () => {
    const itemId = await h.addNotebook(admin, 'admin', printing('print("y" * (400 * 1024))'));
    const before = (await h.http.get(`/sharing/rest/content/items/${itemId}/data`).set(auth())).text;
    const job = await run(itemId, true);
    expect(job.status).toBe('FAILED');
    expect(job.messages.join('\n')).toMatch(/larger than MAX_NOTEBOOK_BYTES \(0\.3 MiB\), so it was not saved to the item; the item is unchanged/);
    expect((await h.http.get(`/sharing/rest/content/items/${itemId}/data`).set(auth())).text).toBe(before);
  });
});

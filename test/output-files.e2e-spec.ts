import { INestApplicationContext } from '@nestjs/common';
import { ApiHarness } from './support/api-harness';
import { nb } from './support/notebooks';
import { TasksApi } from './support/tasks-api';
import { eventually, startWorker } from './support/worker-harness';

const code = (source: string) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null });

jest.setTimeout(180_000);

/** What a run writes under its working folder: kept within limits, listed, downloaded, removed with the run. */
describe('output files (Postgres, Redis, BullMQ, Docker)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let admin: string;
  let rita: string;
  let bob: string;
  const as = (t: string) => ({ Authorization: `Bearer ${t}` });

  beforeAll(async () => {
    h = await ApiHarness.start({ HEARTBEAT_SECONDS: '1', WARM_POOL_SIZE: '0', OUTPUT_FILES_MAX_MB: '2', OUTPUT_FILES_MAX_COUNT: '3' });
    worker = await startWorker(h.config);
    admin = await h.token();
    rita = await h.user('rita');
    bob = await h.user('bob');
  });

  afterAll(async () => {
    await worker?.close();
    await h?.stop();
  });

  const finished = (jobId: string, token: string) =>
    eventually(async () => {
      const j = (await h.http.get(`/arcgis/admin/system/jobs/${jobId}`).set(as(token))).body;
      return ['COMPLETED', 'FAILED'].includes(j.status) ? j : null;
    }, 120_000);

  it('keeps, lists and serves what the notebook wrote; drops what is over the limit and says so; removes it with the run', async () => {
    const notebook = {
      ...nb(
        code(
          [
            'import os, pandas as pd, matplotlib.pyplot as plt',
            'pd.DataFrame({"city": ["Oslo", "Lisbon"], "t": [3, 18]}).to_csv("report.csv", index=False)',
            'os.makedirs("charts", exist_ok=True)',
            'plt.plot([1, 2, 3]); plt.savefig("charts/plot.png")',
            'open("big.bin", "wb").write(os.urandom(3 * 1024 * 1024))',
            'open("naïve name.txt", "w").write("ü")',
          ].join('\n'),
        ),
      ),
      metadata: { runtime: 'standard' },
    };
    const itemId = await h.addNotebook(rita, 'rita', notebook);
    const res = await h.http.post('/arcgis/admin/notebooks/executeNotebook').set(as(rita)).type('form').send({ itemId, updatePortalItem: 'false', f: 'json' });
    const j = await finished(res.body.jobId, rita);
    expect(j.status).toBe('COMPLETED');
    expect(j.messages.join('\n')).toContain('Output files over the limit (2 MiB, 3 files) were not kept: big.bin.');

    const files = j.results.outputFiles as Array<{ name: string; size: number; url: string }>;
    expect(files.map((f) => f.name)).toEqual(['charts/plot.png', 'naïve name.txt', 'report.csv']);
    const csv = files.find((f) => f.name === 'report.csv')!;
    expect(csv.url).toBe(`${h.config.http.publicUrl}/arcgis/admin/system/jobs/${j.jobId}/files/report.csv`);
    expect(files.find((f) => f.name === 'naïve name.txt')!.url).toMatch(/\/files\/na%C3%AFve%20name\.txt$/);

    const path = (u: string) => new URL(u).pathname;
    const dl = await h.http.get(path(csv.url)).set(as(rita)).buffer(true);
    expect(dl.status).toBe(200);
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="report.csv"; filename*=UTF-8''report.csv`);
    expect(dl.headers['content-type']).toMatch(/^application\/octet-stream/);
    expect(dl.body.toString()).toBe('city,t\nOslo,3\nLisbon,18\n');
    expect(csv.size).toBe(dl.body.length);
    const png = await h.http.get(path(files[0].url)).set(as(admin)).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(png.status).toBe(200);
    expect((png.body as Buffer).subarray(1, 4).toString()).toBe('PNG');
    const odd = await h.http.get(path(files[1].url)).set(as(rita));
    expect(odd.headers['content-disposition']).toBe(`attachment; filename="na_ve name.txt"; filename*=UTF-8''na%C3%AFve%20name.txt`);

    // Only the owner or an administrator; names that leave the folder are refused.
    expect((await h.http.get(path(csv.url)).set(as(bob))).status).toBe(404);
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', 'charts/../report.csv', '%2E%2E/report.csv', 'charts//plot.png']) {
      const r = await h.http.get(`/arcgis/admin/system/jobs/${j.jobId}/files/${bad}`).set(as(rita));
      expect([r.status, r.body.error?.messageCode]).toEqual([400, 'INVALID_FILE_NAME']);
    }
    expect((await h.http.get(`/arcgis/admin/system/jobs/${j.jobId}/files/big.bin`).set(as(rita))).status).toBe(404);

    // Removed with the run (the retention rules delete runs; their files go by cascade).
    expect((await h.http.post('/arcgis/admin/system/jobs/deleteAll').set(as(rita)).type('form').send({ f: 'json' })).status).toBe(200);
    expect((await h.ds.query('SELECT count(*)::int AS n FROM run_files WHERE run_id = $1', [j.jobId]))[0].n).toBe(0);
    expect((await h.http.get(path(csv.url)).set(as(rita))).status).toBe(404);
  });

  it('a task run lists its output files; the task names its runtime in its parameters', async () => {
    // No metadata.runtime: the task's parameters.runtime picks the standard one (pandas is not in the minimal one).
    const itemId = await h.addNotebook(rita, 'rita', nb(code('import pandas as pd\npd.DataFrame({"a": [1]}).to_csv("out.csv")')));
    const tasks = new TasksApi(h, rita, 'rita');
    const taskId = await tasks.createOk(itemId, { maxOccurrences: 1, parameters: { updatePortalItem: false, runtime: 'standard' } });
    const run = await eventually(async () => (await tasks.runs(taskId)).find((r) => r.jobId && ['succeeded', 'failed'].includes(r.status)), 120_000);
    expect(run.status).toBe('succeeded');
    const view = (await tasks.run(taskId, run.runId)).body;
    expect(view.outputFiles).toEqual([{ name: 'out.csv', size: expect.any(Number), url: `${h.config.http.publicUrl}/arcgis/admin/system/jobs/${run.jobId}/files/out.csv` }]);
  });
});

import { INestApplicationContext } from '@nestjs/common';
import type { ApiHarness } from './support/api-harness';
import { startApiAndWorker, stopApiAndWorker } from './support/api-and-worker';
import { nb } from './support/notebooks';
import { eventually, readyWarmContainers, sleep } from './support/worker-harness';

const code = (source: string, tags: string[] = []) => ({ cell_type: 'code', source, metadata: tags.length ? { tags } : {}, outputs: [], execution_count: null });

/** A data notebook on the standard runtime: pandas tables and matplotlib figures, in the snapshot and the saved item. */
describe('rich outputs on the standard runtime (Postgres, Redis, BullMQ, Docker)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let admin: string;

  beforeAll(async () => ({ h, worker, admin } = await startApiAndWorker({ HEARTBEAT_SECONDS: '1', WARM_POOL_SIZE: '0' })));

  afterAll(() => stopApiAndWorker(h, worker));

  const auth = () => ({ Authorization: `Bearer ${admin}` });

  it.each(['cold', 'warm'])('%s: a parameterized DataFrame, aggregated and plotted: COMPLETED, table and PNG in the snapshot and the executed notebook', async (mode) => {
    if (mode === 'warm') {
      // A warm standard container, idle long enough to have preloaded pandas and matplotlib (NBRUNNER_PRELOAD).
      const up = await h.http.post('/arcgis/admin/notebooks/runtimes/standard/update').set(auth()).type('form').send({ warmPoolSize: '1', f: 'json' });
      expect(up.status).toBe(200);
      await eventually(async () => (await readyWarmContainers(h.config.nodeName)).length > 0, 90_000, 200);
      await sleep(3000);
    }
    const notebook = {
      ...nb(
        code('region = "north"\ndays = 3', ['parameters']),
        code(
          [
            'import numpy as np, pandas as pd',
            'rng = np.random.default_rng(0)',
            'df = pd.DataFrame({"station": np.repeat(["a", "b", "c"], days), "pm25": rng.uniform(5, 50, 3 * days)})',
            'summary = df.groupby("station").agg(mean_pm25=("pm25", "mean"), samples=("pm25", "size"))',
            'summary["region"] = region',
            'summary',
          ].join('\n'),
        ),
        code('import matplotlib.pyplot as plt\nax = summary["mean_pm25"].plot(kind="bar", title=f"PM2.5 in {region}")\nplt.show()'),
      ),
      metadata: { runtime: 'standard', kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    };
    const itemId = await h.addNotebook(admin, 'admin', notebook);
    const res = await h.http
      .post('/arcgis/admin/notebooks/executeNotebook')
      .set(auth())
      .type('form')
      .send({ itemId, notebookParameters: JSON.stringify({ region: 'Lisbon', days: 4 }), f: 'json' });
    expect(res.status).toBe(200);
    const j = await eventually(async () => {
      const b = (await h.http.get(`/arcgis/admin/system/jobs/${res.body.jobId}`).set(auth())).body;
      return ['COMPLETED', 'FAILED'].includes(b.status) ? b : null;
    }, 120_000);
    expect(j.messages).toContain('Notebook executed successfully.');
    expect(j.status).toBe('COMPLETED');
    expect((await h.ds.query('SELECT result FROM runs WHERE id = $1', [j.jobId]))[0].result.warm).toBe(mode === 'warm');

    const html = (await h.http.get(`/arcgis/admin/system/jobs/${j.jobId}/snapshot`).set(auth())).text;
    expect(html).toMatch(/<table[^>]*class="dataframe/);
    expect(html).toContain('mean_pm25');
    expect(html).toContain('Lisbon');
    expect(html).toMatch(/<img[^>]+src="data:image\/png;base64,[A-Za-z0-9+/]{100,}/);

    // updatePortalItem (default true) saved the executed notebook, outputs included.
    const saved = JSON.parse((await h.http.get(`/sharing/rest/content/items/${itemId}/data`).set(auth())).text);
    type Out = { output_type: string; data?: Record<string, unknown> };
    const outputs: Out[] = saved.cells.flatMap((c: { outputs?: Out[] }) => c.outputs ?? []);
    const table = outputs.find((o) => o.output_type === 'execute_result' && o.data?.['text/html']);
    expect([table?.data?.['text/html']].flat().join('')).toContain('<table');
    const png = outputs.find((o) => o.output_type === 'display_data' && o.data?.['image/png']);
    expect(String(png?.data?.['image/png'])).toMatch(/^iVBORw0KGgo/); // the PNG signature, base64
    // The preload ran outside the notebook: its cells count from 1 (2 was the injected cell, not saved).
    expect(saved.cells.map((c: { execution_count: number | null }) => c.execution_count)).toEqual([1, 3, 4]);
    // The injected parameters cell is not saved (saveInjectedParameters=false); the values took effect.
    expect(saved.cells.some((c: { metadata: { tags?: string[] } }) => c.metadata.tags?.includes('injected-parameters'))).toBe(false);
  });
});

import { INestApplicationContext } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppConfig } from '@app/config';
import { DockerHtmlExporter } from '../libs/execution/src/runner-backend/docker/docker-html-exporter';
import { HtmlExporter } from '../libs/execution/src/runner-backend/html-exporter';
import { ApiHarness } from './support/api-harness';
import { dockerCreates } from './support/docker-events';
import { nb, raising, sleeping } from './support/notebooks';
import { containersOf, docker, eventually, startWorker } from './support/worker-harness';

const code = (source: string) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null });
// A 1x1 PNG: an image/png display output, as matplotlib makes.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** Notebooks whose snapshots must not depend on who renders them. */
const NOTEBOOKS: Record<string, object> = {
  text: nb({ cell_type: 'markdown', source: '# Title\n*emphasis* `code`', metadata: {} }, code('print("hello")\n1 + 1')),
  rich: nb(
    code(
      [
        'from IPython.display import display, HTML, Image, Markdown',
        'import base64',
        'display(HTML("<table><tr><td>a</td><td>1</td></tr></table>"))',
        'display(Markdown("**bold**"))',
        `display(Image(data=base64.b64decode("${PNG}"), format="png"))`,
        'import sys; print("to stderr", file=sys.stderr)',
      ].join('\n'),
    ),
  ),
  error: raising(),
};

/**
 * The snapshot rendered beside the worker (SNAPSHOT_EXPORT=host: the run's spec says `snapshot: "none"`, the
 * worker's exporter container renders the executed notebook) against the runner's own (SNAPSHOT_EXPORT=runner).
 */
describe('HTML export outside the run container (Postgres, Redis, Docker)', () => {
  let h: ApiHarness;
  let admin: string;
  let worker: INestApplicationContext | undefined;
  const items: Record<string, string> = {};

  const exporters = (node: string) => docker.listContainers({ all: true, filters: { label: [`nbautomation.exporter-of=${node}`] } });
  const configWith = (snapshotExport: 'host' | 'runner'): AppConfig => ({ ...h.config, execution: { ...h.config.execution, snapshotExport } });

  beforeAll(async () => {
    h = await ApiHarness.start({ HEARTBEAT_SECONDS: '1', WARM_POOL_SIZE: '0' });
    admin = await h.token();
    for (const [name, notebook] of Object.entries({ ...NOTEBOOKS, sleeping: sleeping(4) })) items[name] = await h.addNotebook(admin, 'admin', notebook, name);
  });

  afterAll(async () => {
    await worker?.close();
    await h?.stop();
  });

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const run = async (item: string) => {
    const res = await h.http.post('/arcgis/admin/notebooks/executeNotebook').set(auth()).type('form').send({ itemId: item, updatePortalItem: 'false', f: 'json' });
    expect(res.status).toBe(200);
    return res.body.jobId as string;
  };
  const finished = (jobId: string) =>
    eventually(async () => {
      const b = (await h.http.get(`/arcgis/admin/system/jobs/${jobId}`).set(auth())).body;
      return b.status === 'COMPLETED' || b.status === 'FAILED' ? b : null;
    }, 120_000);
  const snapshot = async (jobId: string) => (await h.http.get(`/arcgis/admin/system/jobs/${jobId}/snapshot`).set(auth())).text;
  const timings = async (jobId: string) =>
    ((await h.ds.query(`SELECT result FROM runs WHERE id = $1`, [jobId]))[0].result as { timings: Record<string, number> }).timings;

  const host: Record<string, string> = {};
  let sharedFolder = '';

  it('host export: the exporter is up beside the worker, not a run container; every run gets its snapshot from it', async () => {
    worker = await startWorker(configWith('host'));
    const node = h.config.nodeName;
    const [exp] = await eventually(async () => {
      const l = await exporters(node);
      return l.length === 1 && l[0].State === 'running' ? l : null;
    }, 60_000);
    expect(exp.Labels['nbautomation.node']).toBeUndefined();
    const info = await docker.getContainer(exp.Id).inspect();
    expect(info.HostConfig).toMatchObject({ NetworkMode: 'none', ReadonlyRootfs: true });
    expect(info.HostConfig.Memory).toBeGreaterThan(0);
    expect(info.Config.Image).toBe(h.config.execution.runtimes[h.config.execution.defaultRuntime]);
    expect(await containersOf(node)).toHaveLength(0); // the node's runners: none while nothing runs
    // Requests go over its socket, in a folder of the worker's mounted into it (not Docker's attach stream).
    expect(info.HostConfig.Binds).toEqual([expect.stringMatching(/\/nba-exporter-[^/]+\/io:\/run\/nbexporter$/)]);
    sharedFolder = info.HostConfig.Binds![0].split(':')[0];
    expect(existsSync(join(sharedFolder, 'exporter.sock'))).toBe(true);
    expect((worker.get(HtmlExporter) as DockerHtmlExporter).carrier).toBe('socket');

    const creates = await dockerCreates(docker, node);
    for (const name of Object.keys(NOTEBOOKS)) {
      const id = await run(items[name]);
      const b = await finished(id);
      expect(b.status).toBe(name === 'error' ? 'FAILED' : 'COMPLETED');
      host[name] = await snapshot(id);
      expect(host[name]).toContain('jp-Notebook'); // nbconvert's lab template, not the plain fallback
      expect((await timings(id)).hostExportMs).toEqual(expect.any(Number));
    }
    expect(host.rich).toContain(`data:image/png;base64,${PNG}`);
    expect(host.rich).toContain('<td>a</td>');
    expect(host.error).toContain('boom in cell');
    // Containers created for the node's runs: one per run, the exporter not among them.
    expect(await creates.stop()).toHaveLength(Object.keys(NOTEBOOKS).length);
    expect((await exporters(node)).map((c) => c.Id)).toEqual([exp.Id]);
  }, 300_000);

  it('the exporter killed mid-run: it is restarted and the run still gets the full snapshot', async () => {
    const node = h.config.nodeName;
    const [before] = await exporters(node);
    const id = await run(items.sleeping);
    await eventually(async () => (await h.http.get(`/arcgis/admin/system/jobs/${id}`).set(auth())).body.status === 'PROCESSING', 60_000, 50);
    await docker.getContainer(before.Id).kill();
    const b = await finished(id);
    expect(b.status).toBe('COMPLETED');
    const html = await snapshot(id);
    expect(html).toContain('jp-Notebook');
    expect(html).toContain('slept');
    const after = await eventually(async () => (await exporters(node)).find((c) => c.Id !== before.Id && c.State === 'running'), 60_000);
    expect(after).toBeDefined();
  }, 180_000);

  it('the worker stopping removes its exporter', async () => {
    const node = h.config.nodeName;
    await worker!.close();
    worker = undefined;
    await eventually(async () => (await exporters(node)).length === 0, 30_000);
    expect(existsSync(dirname(sharedFolder))).toBe(false); // the folder it shared goes with it
  }, 60_000);

  it('the runner path (SNAPSHOT_EXPORT=runner) gives the same snapshots, and starts no exporter', async () => {
    worker = await startWorker(configWith('runner'));
    for (const name of Object.keys(NOTEBOOKS)) {
      const id = await run(items[name]);
      await finished(id);
      expect(await snapshot(id)).toBe(host[name]);
      expect((await timings(id)).hostExportMs).toBeUndefined();
    }
    expect(await exporters(h.config.nodeName)).toHaveLength(0);
  }, 300_000);
});

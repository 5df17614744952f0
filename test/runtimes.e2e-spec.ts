import { INestApplicationContext } from '@nestjs/common';
import { ApiHarness } from './support/api-harness';
import { nb, printing } from './support/notebooks';
import { containersOf, docker, eventually, startWorker } from './support/worker-harness';

const STANDARD = 'nbautomation/runner-standard:latest';
const code = (source: string, tags: string[] = []) => ({ cell_type: 'code', source, metadata: tags.length ? { tags } : {}, outputs: [], execution_count: null });

/** Runtimes in Postgres, their admin API, and their limits on real containers (Postgres, Redis, BullMQ, Docker). */
jest.setTimeout(180_000);

describe('runtimes (admin API, manifests from images, limits on runs)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    h = await ApiHarness.start({
      HEARTBEAT_SECONDS: '1',
      WARM_POOL_SIZE: '0',
      RUNTIMES: `default=nbautomation/runner:latest,standard=${STANDARD},ghost=nbautomation/no-such-image:1`,
    });
    worker = await startWorker(h.config);
    admin = await h.token();
    user = await h.user('rita');
  });

  afterAll(async () => {
    await worker?.close();
    await h?.stop();
  });

  const as = (t: string) => ({ Authorization: `Bearer ${t}` });
  const post = (path: string, form: Record<string, unknown>, token = admin) =>
    h.http.post(path).set(as(token)).type('form').send({ f: 'json', ...form });
  const R = '/arcgis/admin/notebooks/runtimes';

  async function execute(itemId: string, extra: Record<string, unknown> = {}) {
    const res = await post('/arcgis/admin/notebooks/executeNotebook', { itemId, updatePortalItem: 'false', ...extra });
    return res;
  }
  const finished = (jobId: string) =>
    eventually(async () => {
      const j = (await h.http.get(`/arcgis/admin/system/jobs/${jobId}`).set(as(admin))).body;
      return ['COMPLETED', 'FAILED'].includes(j.status) ? j : null;
    }, 120_000);

  it('lists the built-in runtimes with the product fields; anyone signed in may read them', async () => {
    const res = await h.http.get(R).set(as(user));
    expect(res.status).toBe(200);
    const names = res.body.runtimes.map((r: { name: string }) => r.name);
    expect(names).toEqual(['default', 'ghost', 'standard']);
    const std = res.body.runtimes.find((r: { name: string }) => r.name === 'standard');
    expect(std).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      version: expect.any(String),
      imageId: STANDARD,
      containerType: 'docker',
      imagePullString: '',
      requiresAdvancedPrivileges: false,
      maxCpu: 1,
      maxMemory: 2048,
      maxMemoryUnit: 'm',
      maxSwapMemory: 0,
      maxSwapMemoryUnit: 'g',
      sharedMemory: 0,
      sharedMemoryUnit: 'm',
      dockerRuntime: '',
      networkMode: 'none',
      builtIn: true,
    });
    expect((await h.http.get(`${R}/${std.id}`).set(as(user))).body).toEqual(std);
    expect((await h.http.get(`${R}/standard`).set(as(user))).body.id).toBe(std.id);
  });

  it('refuses changes by non-administrators, and images no worker has', async () => {
    const denied = await post(`${R}/register`, { name: 'mine', version: '1', imageId: STANDARD }, user);
    expect(denied.status).toBe(403);
    const net = await post(`${R}/standard/update`, { networkMode: 'host' }, user);
    expect(net.status).toBe(403);
    await eventually(async () => (await h.ds.query(`SELECT 1 FROM worker_nodes WHERE images ? $1`, [STANDARD])).length > 0, 20_000);
    const missing = await post(`${R}/register`, { name: 'nope', version: '1', imageId: 'nbautomation/not-built:1' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.messageCode).toBe('IMAGE_NOT_ON_ANY_WORKER');
    expect(missing.body.error.message).toContain("'nbautomation/not-built:1'");
    const bad = await post(`${R}/register`, { name: 'bad', version: '1', imageId: STANDARD, maxMemoryUnit: 'x', maxCpu: '-1' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/maxMemoryUnit/);
    expect(bad.body.error.message).toMatch(/maxCpu/);
  });

  it('says which runtime images a machine lacks', async () => {
    const res = await h.http.get(`/arcgis/admin/machines/${h.config.nodeName}/status`).set(as(admin));
    expect(res.status).toBe(200);
    expect(res.body.runtimeImagesMissing).toEqual(['ghost']);
    expect(res.body.warning).toContain("'ghost'");
  });

  it('round trip: register, list, manifest read from the image, update limits seen by the next run, unregister, restore', async () => {
    const reg = await post(`${R}/register`, { name: 'Data 1', version: '2.0', imageId: STANDARD, maxCpu: '0.5', maxMemory: '600', maxMemoryUnit: 'm' });
    expect(reg.status).toBe(200);
    const id = reg.body.id as string;
    expect(reg.body.runtime).toMatchObject({ name: 'Data 1', version: '2.0', maxCpu: 0.5, maxMemory: 600, builtIn: false, networkMode: 'none' });
    expect((await h.http.get(R).set(as(admin))).body.runtimes.map((r: { name: string }) => r.name)).toContain('Data 1');
    expect((await post(`${R}/register`, { name: 'Data 1', version: '2', imageId: STANDARD })).status).toBe(409);

    const manifest = await eventually(async () => {
      const m = await h.http.get(`${R}/${id}/manifest`).set(as(admin));
      return m.status === 200 ? m.body : null;
    }, 60_000, 500);
    expect(manifest.imageDigest).toMatch(/^sha256:/);
    expect(manifest.python).toMatch(/^3\./);
    const lib = (n: string) => manifest.libraries.find((l: { name: string }) => l.name.toLowerCase() === n);
    for (const n of ['numpy', 'pandas', 'matplotlib', 'scipy', 'requests', 'openpyxl', 'lxml', 'shapely', 'pyproj', 'geopandas', 'nbclient']) {
      expect(lib(n)?.version).toMatch(/^\d/);
    }

    const up = await post(`${R}/${id}/update`, { maxCpu: '0.75', maxMemory: '700', maxMemoryUnit: 'm', maxSwapMemory: '0', sharedMemory: '32' });
    expect(up.status).toBe(200);
    expect(up.body.runtime).toMatchObject({ maxCpu: 0.75, maxMemory: 700, sharedMemory: 32 });

    // The notebook picks the runtime by name; its container has the runtime's limits.
    const itemId = await h.addNotebook(admin, 'admin', { ...nb(code('import time, pandas\ntime.sleep(3)\nprint("ok", pandas.__version__)')), metadata: { runtime: 'Data 1' } });
    const res = await execute(itemId);
    expect(res.status).toBe(200);
    const info = await eventually(async () => {
      const [c] = (await containersOf(h.config.nodeName)).filter((x) => x.Labels['nbautomation.run'] === res.body.jobId);
      if (!c) return null;
      const i = await docker.getContainer(c.Id).inspect();
      return (i.HostConfig.NanoCpus ?? 0) > 0 ? i : null;
    }, 60_000, 100);
    expect(info.HostConfig.NanoCpus).toBe(0.75e9);
    expect(info.HostConfig.Memory).toBe(700 * 1024 * 1024);
    expect(info.HostConfig.MemorySwap).toBe(700 * 1024 * 1024);
    expect(info.HostConfig.ShmSize).toBe(32 * 1024 * 1024);
    expect(info.HostConfig.NetworkMode).toBe('none');
    const j = await finished(res.body.jobId);
    expect(j.status).toBe('COMPLETED');
    expect(j.inputs.runtime).toBe(id);

    expect((await post(`${R}/${id}/unregister`, {})).status).toBe(200);
    expect((await h.http.get(`${R}/${id}`).set(as(admin))).status).toBe(404);
    const gone = await execute(itemId);
    expect(gone.status).toBe(400);
    expect(gone.body.error.messageCode).toBe('UNKNOWN_RUNTIME');
    expect(gone.body.error.message).toContain("'Data 1'");
    expect(gone.body.error.message).toContain("'default', 'ghost', 'standard'");

    const restored = await post(`${R}/restore`, {});
    expect(restored.body.runtimes.map((r: { name: string }) => r.name)).toEqual(['default', 'ghost', 'standard']);
  });

  it('executeNotebook may name a runtime by id or name; an unknown one is refused naming those that exist', async () => {
    const itemId = await h.addNotebook(admin, 'admin', printing('import numpy; print("np", numpy.__version__)'));
    const std = (await h.http.get(`${R}/standard`).set(as(admin))).body;
    const ok = await finished((await execute(itemId, { runtime: std.id })).body.jobId);
    expect(ok.status).toBe('COMPLETED');
    const byName = await finished((await execute(itemId, { runtime: 'standard' })).body.jobId);
    expect(byName.status).toBe('COMPLETED');
    // The minimal runtime has no numpy: the run fails in the cell, which shows the runtime applies.
    const minimal = await finished((await execute(itemId)).body.jobId);
    expect(minimal.status).toBe('FAILED');
    expect(minimal.messages.join('\n')).toContain('ModuleNotFoundError');
    // A notebook made in ArcGIS Notebooks names its runtime its own way: Standard/Advanced map to the standard one.
    const esri = (name: string) => ({ ...printing('import numpy'), metadata: { esriNotebookRuntime: { notebookRuntimeName: name, notebookRuntimeVersion: '10.9' } } });
    const fromArcgis = await finished((await execute(await h.addNotebook(admin, 'admin', esri('ArcGIS Notebook Python 3 Advanced')))).body.jobId);
    expect([fromArcgis.status, fromArcgis.inputs.runtime]).toEqual(['COMPLETED', std.id]);
    const other = await finished((await execute(await h.addNotebook(admin, 'admin', esri('Something Else')))).body.jobId);
    expect(other.inputs.runtime).toBe((await h.http.get(`${R}/default`).set(as(admin))).body.id);
    const unknown = await execute(itemId, { runtime: 'gpu' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^Runtime 'gpu' does not exist; this site has .*'default', 'ghost', 'standard'\.$/);
  });

  it('gives a runtime a network other than none only when an administrator says so; the others stay closed', async () => {
    const up = await post(`${R}/standard/update`, { networkMode: 'host' });
    expect(up.status).toBe(200);
    expect(up.body.runtime.networkMode).toBe('host');
    const list = (await h.http.get(R).set(as(user))).body.runtimes;
    expect(list.find((r: { name: string }) => r.name === 'default').networkMode).toBe('none');
    const itemId = await h.addNotebook(admin, 'admin', nb(code('import time\ntime.sleep(2)')));
    for (const [runtime, want] of [['standard', 'host'], ['default', 'none']]) {
      const res = await execute(itemId, { runtime });
      const c = await eventually(async () => (await containersOf(h.config.nodeName)).find((x) => x.Labels['nbautomation.run'] === res.body.jobId), 60_000, 100);
      expect((await docker.getContainer(c.Id).inspect()).HostConfig.NetworkMode).toBe(want);
      await finished(res.body.jobId);
    }
    await post(`${R}/restore`, {});
  });
});

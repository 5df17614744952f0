import { INestApplicationContext } from '@nestjs/common';
import { ApiHarness } from './support/api-harness';
import { containersOf, docker, eventually, readyWarmContainers, sleep, startWorker } from './support/worker-harness';

/** A fresh install, default settings: one warm container for the default runtime, none for the others (counted from Docker). */
describe('warm by default (Postgres, Redis, Docker)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    // The product's default, not the tests' (test-env.ts turns the pool off unless asked).
    h = await ApiHarness.start({ HEARTBEAT_SECONDS: '1', WARM_POOL_SIZE: undefined });
    worker = await startWorker(h.config);
  });

  afterAll(async () => {
    await worker?.close();
    await h?.stop();
  });

  it('keeps one warm container of the default runtime, and it counts towards the cap', async () => {
    const admin = await h.token();
    const props = (await h.http.get('/arcgis/admin/system/properties').set('Authorization', `Bearer ${admin}`)).body;
    expect(props.warmPoolSizePerRuntime).toBe(1);
    const node = h.config.nodeName;
    const [warm] = await eventually(async () => {
      const r = await readyWarmContainers(node);
      return r.length ? r : null;
    }, 90_000, 200);
    await sleep(2500); // a few heartbeats: no more get started
    const all = await containersOf(node);
    expect(all.map((c) => c.Id)).toEqual([warm.Id]);
    expect((await docker.getContainer(warm.Id).inspect()).Config.Image).toBe(h.config.execution.runtimes[h.config.execution.defaultRuntime]);
    const machine = (await h.http.get(`/arcgis/admin/machines/${node}/status`).set('Authorization', `Bearer ${admin}`)).body;
    expect(machine.warmContainers).toBe(1);
  });
});

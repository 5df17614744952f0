/**
 * runtimes: the standard runtime (the data stack) beside the minimal one, in one run: trigger-to-COMPLETED cold
 * (warm pool off) and warm (a pool of 1 for the runtime), the image sizes, and the same on a notebook that imports
 * pandas and matplotlib (standard only).
 *
 *   npm run bench:runtimes            (BENCH_RUNTIME_RUNS=10 by default; builds first)
 *
 * Each run: POST executeNotebook (t0) with `runtime`, poll GET jobUrl every 20 ms; the figure is t0 → the run row's
 * finished_at (COMPLETED with its snapshot stored). Warm runs start once a READY warm container of that runtime exists
 * and has been idle for BENCH_WARM_IDLE_MS (3000): a warm container waits for its run, and an idle standard runner
 * preloads pandas and matplotlib after 1 s (runner/nbrunner/preload.py).
 */
import { containersOf, docker, machine, oneCell, percentiles, Site, sleep, writeResult, runBenchmark } from './support';

const RUNS = Number(process.env.BENCH_RUNTIME_RUNS ?? 10);
const WARM_IDLE_MS = Number(process.env.BENCH_WARM_IDLE_MS ?? 3000);
const IMAGES: Record<string, string> = { default: 'nbautomation/runner:latest', standard: 'nbautomation/runner-standard:latest' };

async function runOnce(site: Site, itemId: string, runtime: string): Promise<{ ms: number; warm: boolean; kernelReadyMs: number }> {
  const t0 = Date.now();
  const { jobId } = await site.form('/arcgis/admin/notebooks/executeNotebook', { itemId, runtime, f: 'json' });
  for (;;) {
    const j = await site.get(`/arcgis/admin/system/jobs/${jobId}`);
    if (j.status === 'COMPLETED') break;
    if (j.status === 'FAILED') throw new Error(`run ${jobId} failed: ${JSON.stringify(j.messages)}`);
    if (Date.now() - t0 > 120_000) throw new Error(`run ${jobId} did not finish within 120 s`);
    await sleep(20);
  }
  const [row] = (await site.pg.query('SELECT finished_at, result FROM runs WHERE id = $1', [jobId])).rows;
  return { ms: (row.finished_at as Date).getTime() - t0, warm: !!row.result?.warm, kernelReadyMs: row.result?.timings?.kernelReadyMs };
}

/** Until the node has an idle, READY warm container of this image. */
async function warmReady(site: Site, image: string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    for (const c of await containersOf(site.nodeName, 'warm')) {
      if (c.State !== 'running' || c.Image !== image || c.Names.some((n) => n.startsWith('/nba-'))) continue;
      const logs = (await docker.getContainer(c.Id).logs({ stdout: true, stderr: false }).catch(() => Buffer.alloc(0))) as unknown as Buffer;
      const info = await docker.getContainer(c.Id).inspect().catch(() => null);
      if (logs.toString('latin1').includes('NBRUNNER READY') && (info?.HostConfig.NanoCpus ?? 0) > 0) return;
    }
    if (Date.now() - t0 > 120_000) throw new Error(`no warm ${image} container within 120 s`);
    await sleep(50);
  }
}

async function series(site: Site, itemId: string, runtime: string, warm: boolean) {
  const runs = [];
  await runOnce(site, itemId, runtime); // not counted
  for (let i = 0; i < RUNS; i++) {
    if (warm) {
      await warmReady(site, IMAGES[runtime]);
      await sleep(WARM_IDLE_MS);
    }
    runs.push(await runOnce(site, itemId, runtime));
  }
  return {
    ms: percentiles(runs.map((r) => r.ms)),
    warmRuns: runs.filter((r) => r.warm).length,
    kernelReadyMsP50: percentiles(runs.map((r) => r.kernelReadyMs).filter(Number.isFinite)).p50,
  };
}

async function main() {
  const before = machine();
  console.log(`runtimes: ${RUNS} runs per series; machine ${JSON.stringify(before)}`);
  const site = await Site.start({ env: { WARM_POOL_SIZE: '0', MAX_CONTAINERS_PER_NODE: '4' } });
  try {
    const printOne = await site.addNotebook(oneCell());
    const dataStack = await site.addNotebook(oneCell('import pandas as pd, matplotlib.pyplot as plt\npd.DataFrame({"a": [1, 2]}).plot()\nplt.show()'));
    const result: Record<string, unknown> = { runs: RUNS, images: {} as Record<string, unknown> };
    for (const [name, image] of Object.entries(IMAGES)) {
      const i = await docker.getImage(image).inspect();
      (result.images as Record<string, unknown>)[name] = { image, sizeMB: Math.round(i.Size / 1e6) };
    }
    for (const runtime of ['default', 'standard']) {
      console.log(`${runtime}: cold …`);
      result[`${runtime}Cold`] = await series(site, printOne, runtime, false);
    }
    result.standardDataStackCold = await series(site, dataStack, 'standard', false);
    // A pool of 1 for each runtime (the standard one keeps none by default: its warmPoolSize 0 → the site's value).
    await site.form('/arcgis/admin/notebooks/runtimes/standard/update', { warmPoolSize: '', f: 'json' });
    await site.setProperties({ warmPoolSizePerRuntime: 1 });
    for (const runtime of ['default', 'standard']) {
      console.log(`${runtime}: warm …`);
      result[`${runtime}Warm`] = await series(site, printOne, runtime, true);
    }
    result.standardDataStackWarm = await series(site, dataStack, 'standard', true);
    await site.setProperties({ warmPoolSizePerRuntime: 0 });
    result.machine = { before, after: machine() };
    for (const k of Object.keys(result).filter((k) => /Cold|Warm/.test(k))) {
      const s = result[k] as { ms: { p50: number; p95: number }; warmRuns: number; kernelReadyMsP50: number };
      console.log(`  ${k.padEnd(24)} p50 ${s.ms.p50.toFixed(0).padStart(5)} ms  p95 ${s.ms.p95.toFixed(0).padStart(5)}  warm ${s.warmRuns}/${RUNS}  kernelReady p50 ${s.kernelReadyMsP50}`);
    }
    console.log(`  images ${JSON.stringify(result.images)}`);
    console.log(`  → ${writeResult('runtimes', result)}`);
  } finally {
    await site.stop();
  }
}

runBenchmark(main);

/**
 * throughput: completed runs per minute on one worker node, for a one-cell notebook (`print(1)`) and a
 * 5-second notebook (`time.sleep(5)`), at maxExecuteNotebookContainersPerNode 2, 4 and 10, warm pool on
 * (warmPoolSizePerRuntime=2). Each configuration: BENCH_THROUGHPUT_RUNS (20) runs submitted at once through
 * executeNotebook; runs/min = runs / (last finished_at − first submit). The node's containers are counted
 * from Docker every 100 ms throughout, to show the cap held (warm + running), and the containers Docker created
 * from the first submit to the last finish are counted from its events (every run its own container; the pool must
 * not create containers that no run uses; the worker's HTML exporter has a label of its own and is not among them).
 *
 * Modes (BENCH_MODES, default `baseline,new`), each on its own api + worker, one after the other in the same run:
 *   new       the product's defaults: the worker's exporter renders snapshots (SNAPSHOT_EXPORT=host), RUNNER_ENGINE=inprocess
 *             (CONTAINER_STARTS_AT_ONCE, when set here, is passed to its worker: 0 measures without the start gate)
 *   baseline  today's path: SNAPSHOT_EXPORT=runner RUNNER_ENGINE=kernel, on BENCH_BASELINE_IMAGE (default: the default
 *             runtime's image). For the whole old path (the 200 ms IOPub wait too) point it at an image built before
 *             issue 15: e.g. `docker tag nbautomation/runner:latest nbautomation/runner:pre-15` before rebuilding.
 * and then prints new ÷ baseline runs/min per configuration.
 *
 *   npm run bench:throughput
 */
import { machine, oneCell, percentiles, sampleContainers, Site, sleep, writeResult, runBenchmark } from './support';
import { containersOf, docker } from './support';
import { dockerCreates } from '../test/support/docker-events';
import { TEST_DEFAULT_IMAGE } from '../test/support/test-env';

const RUNS = Number(process.env.BENCH_THROUGHPUT_RUNS ?? 20);
const CAPS = (process.env.BENCH_CAPS ?? '2,4,10').split(',').map(Number);
const POOL = Number(process.env.BENCH_POOL ?? 2);
const NOTEBOOKS = (process.env.BENCH_NOTEBOOKS ?? 'one-cell,5-second').split(',').map((x) => x.trim());
const MODES = (process.env.BENCH_MODES ?? 'baseline,new').split(',').map((x) => x.trim());
const BASELINE_IMAGE = process.env.BENCH_BASELINE_IMAGE;

async function settle(site: Site, cap: number) {
  // Start each configuration from the same steady state: no run in progress and the pool full of READY containers.
  const want = Math.min(POOL, cap);
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const cs = await containersOf(site.nodeName);
    let ready = 0;
    for (const c of cs) {
      const logs = (await docker.getContainer(c.Id).logs({ stdout: true, stderr: false }).catch(() => Buffer.alloc(0))) as unknown as Buffer;
      if (c.State === 'running' && logs.toString('latin1').includes('NBRUNNER READY')) ready++;
    }
    if (cs.length === want && ready === want) return;
    await sleep(200);
  }
}

async function one(site: Site, itemId: string, cap: number, label: string, mode: string) {
  await site.setProperties({ maxExecuteNotebookContainersPerNode: cap });
  await settle(site, cap);
  await sleep(200); // the worker reads READY from its own stream
  const sampler = sampleContainers(site.nodeName, 100);
  const creates = await dockerCreates(docker, site.nodeName);
  const t0 = Date.now();
  const ids = await Promise.all(Array.from({ length: RUNS }, () => site.form('/arcgis/admin/notebooks/executeNotebook', { itemId, updatePortalItem: 'false', f: 'json' }).then((r) => r.jobId as string)));
  const until = t0 + 15 * 60_000;
  let rows: Array<{ status: string; finished_at: Date; submitted_at: Date; result: { warm?: boolean; containerId?: string } | null }> = [];
  for (;;) {
    rows = (await site.pg.query(`SELECT status, finished_at, submitted_at, result FROM runs WHERE id = ANY($1)`, [ids])).rows;
    if (rows.every((r) => r.status === 'COMPLETED' || r.status === 'FAILED')) break;
    if (Date.now() > until) throw new Error(`${label} cap ${cap}: runs did not finish in 15 min`);
    await sleep(100);
  }
  const { max, samples } = await sampler.stop();
  const created = (await creates.stop()).length;
  const last = Math.max(...rows.map((r) => r.finished_at.getTime()));
  const seconds = (last - t0) / 1000;
  const r = {
    mode,
    notebook: label,
    cap,
    runs: RUNS,
    completed: rows.filter((x) => x.status === 'COMPLETED').length,
    warmRuns: rows.filter((x) => x.result?.warm).length,
    seconds: Math.round(seconds * 10) / 10,
    runsPerMinute: Math.round((RUNS / seconds) * 60 * 10) / 10,
    runLatencyMs: percentiles(rows.map((x) => x.finished_at.getTime() - x.submitted_at.getTime())),
    maxContainersSeen: max,
    dockerSamples: samples,
    capHeld: max <= cap,
    containersCreated: created,
    // Every run in its own container: distinct container ids; created in the window ≤ runs (the pool's ready ones came before).
    distinctContainers: new Set(rows.map((x) => x.result?.containerId)).size,
    createdAtMostRuns: created <= RUNS,
  };
  console.log(
    `  ${mode.padEnd(8)} ${label.padEnd(9)} cap ${String(cap).padStart(2)}: ${r.completed}/${RUNS} completed in ${r.seconds}s → ${r.runsPerMinute} runs/min; ` +
      `max containers seen ${max} (${samples} samples) ${r.capHeld ? 'cap held' : 'CAP EXCEEDED'}; warm ${r.warmRuns}; containers created ${created}, distinct per run ${r.distinctContainers}`,
  );
  return r;
}

/** The worker's environment of a mode (see the header). */
function modeEnv(mode: string, defaultImage: string): Record<string, string> {
  if (mode === 'new') return { SNAPSHOT_EXPORT: 'host', RUNNER_ENGINE: 'inprocess', ...(process.env.CONTAINER_STARTS_AT_ONCE ? { CONTAINER_STARTS_AT_ONCE: process.env.CONTAINER_STARTS_AT_ONCE } : {}) };
  if (mode === 'baseline') return { SNAPSHOT_EXPORT: 'runner', RUNNER_ENGINE: 'kernel', RUNTIMES: `default=${BASELINE_IMAGE ?? defaultImage}` };
  throw new Error(`BENCH_MODES: unknown mode '${mode}' (baseline, new)`);
}

async function runMode(mode: string, defaultImage: string) {
  const env = { WARM_POOL_SIZE: String(POOL), MAX_CONTAINERS_PER_NODE: String(CAPS[0]), ...modeEnv(mode, defaultImage) };
  console.log(`  ${mode}: ${JSON.stringify(env)}`);
  const site = await Site.start({ env });
  const results = [];
  try {
    const short = await site.addNotebook(oneCell());
    const fiveSec = await site.addNotebook(oneCell('import time\ntime.sleep(5)\nprint("done")'));
    for (const [label, item] of [
      ['one-cell', short],
      ['5-second', fiveSec],
    ] as const) {
      if (!NOTEBOOKS.includes(label)) continue;
      for (const cap of CAPS) results.push(await one(site, item, cap, label, mode));
    }
  } finally {
    await site.stop();
  }
  return results;
}

async function main() {
  const before = machine();
  console.log(`throughput: ${RUNS} runs per configuration, caps ${CAPS.join(',')}, pool ${POOL}, modes ${MODES.join(',')}; machine ${JSON.stringify(before)}`);
  const defaultImage = TEST_DEFAULT_IMAGE;
  const results = [];
  for (const mode of MODES) results.push(...(await runMode(mode, defaultImage)));
  const ratios = [];
  for (const n of results.filter((r) => r.mode === 'new')) {
    const b = results.find((r) => r.mode === 'baseline' && r.notebook === n.notebook && r.cap === n.cap);
    if (!b) continue;
    const ratio = Math.round((n.runsPerMinute / b.runsPerMinute) * 100) / 100;
    ratios.push({ notebook: n.notebook, cap: n.cap, baseline: b.runsPerMinute, new: n.runsPerMinute, ratio });
    console.log(`  ${n.notebook.padEnd(9)} cap ${String(n.cap).padStart(2)}: new ${n.runsPerMinute} ÷ baseline ${b.runsPerMinute} runs/min = ${ratio}×`);
  }
  const after = machine();
  const file = writeResult('throughput', { runsPerConfiguration: RUNS, warmPoolSizePerRuntime: POOL, modes: MODES, baselineImage: BASELINE_IMAGE ?? defaultImage, results, ratios, machine: { before, after } });
  console.log(`  → ${file}`);
  console.log(`  load average before ${before.loadavg.join(' ')}, after ${after.loadavg.join(' ')}: on a loaded machine re-run on a quiet one:`);
  console.log(`    npm run build && BENCH_BASELINE_IMAGE=<an image built before issue 15> npx ts-node -r tsconfig-paths/register -T bench/throughput.ts`);
}

runBenchmark(main);

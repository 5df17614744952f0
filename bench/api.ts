/**
 * api: latency and requests/second of listing jobs and tasks with 10,000 rows each, under a concurrent load
 * generator (autocannon, in this process; the api is its own process). No worker runs: nothing executes.
 *
 *   npm run bench:api            (BENCH_API_SECONDS=15, BENCH_API_CONNECTIONS=10)
 *
 * The 10,000 runs and 10,000 tasks of the admin are inserted with SQL (not through the API: this measures reading).
 * Requests: GET /arcgis/admin/system/jobs (first page of 100 and the total) and
 * GET /sharing/rest/community/users/admin/tasks (first page of 100 and the total), with a Bearer token.
 */
import autocannon from 'autocannon';
import { machine, oneCell, Site, writeResult, runBenchmark } from './support';

const ROWS = Number(process.env.BENCH_API_ROWS ?? 10_000);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 10);

async function seed(site: Site, itemId: string) {
  const [{ id: ownerId }] = (await site.pg.query(`SELECT id FROM users WHERE username = 'admin'`)).rows;
  await site.pg.query(
    `INSERT INTO runs (id, trigger, item_id, owner_id, username, runtime, parameters, timeout_minutes, status, cancelled, messages,
                       has_artifacts, submitted_at, started_at, finished_at, node_name, result, update_portal_item, save_injected_parameters)
     SELECT md5('run' || g), 'executeNotebook', $1, $2, 'admin', 'default', '{"x": 1}'::jsonb, 60, 'COMPLETED', false,
            '["Submitted by executeNotebook", "Executing on bench.", "Notebook executed successfully."]'::jsonb,
            true, now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval, 'bench',
            '{"status": "succeeded"}'::jsonb, false, false
     FROM generate_series(1, $3) g`,
    [itemId, ownerId, ROWS],
  );
  const tasks = await site.pg
    .query(
      `INSERT INTO tasks (id, owner_id, item_id, type, title, cron, parameters, occurrences, active, task_state, next_fire_at, created, updated)
       SELECT md5('task' || g), $2, $1, 'ExecuteNotebook', 'task ' || g,
              '{"minute": "0", "hour": "3", "dayOfMonth": "*", "month": "*", "dayOfWeek": "*"}'::jsonb,
              '{"updatePortalItem": false, "saveInjectedParameters": false}'::jsonb, 0, false, 'inactive', NULL,
              now() - (g || ' seconds')::interval, now()
       FROM generate_series(1, $3) g`,
      [itemId, ownerId, ROWS],
    )
    .then(() => true)
    .catch((e: Error) => {
      console.log(`  tasks could not be seeded (${e.message}); the tasks listing is skipped`);
      return false;
    });
  return tasks;
}

async function load(site: Site, path: string) {
  const token = await site.token();
  const first = await fetch(site.base + path, { headers: { authorization: `Bearer ${token}` } });
  const body = (await first.json()) as Record<string, unknown>;
  if (!first.ok) throw new Error(`${path}: ${first.status} ${JSON.stringify(body).slice(0, 300)}`);
  const r = await autocannon({ url: site.base + path, connections: CONNECTIONS, duration: SECONDS, headers: { authorization: `Bearer ${token}` } });
  const out = {
    path,
    total: body.total,
    rowsPerPage: ((body.asyncJobs ?? body.tasks) as unknown[] | undefined)?.length,
    bytesPerResponse: Math.round(r.throughput.average / Math.max(1, r.requests.average)),
    connections: CONNECTIONS,
    seconds: SECONDS,
    requests: r.requests.total,
    requestsPerSecond: r.requests.average,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.average },
    non2xx: r.non2xx,
    errors: r.errors,
  };
  console.log(
    `  ${path.padEnd(48)} ${out.requestsPerSecond} req/s  p50 ${out.latencyMs.p50} ms  p99 ${out.latencyMs.p99} ms  (total ${out.total}, ${out.rowsPerPage}/page, non-2xx ${out.non2xx}, errors ${out.errors})`,
  );
  return out;
}

async function main() {
  const before = machine();
  console.log(`api: ${ROWS} rows, ${CONNECTIONS} connections, ${SECONDS}s per endpoint; machine ${JSON.stringify(before)}`);
  const site = await Site.start({ worker: false });
  try {
    const itemId = await site.addNotebook(oneCell());
    const tasks = await seed(site, itemId);
    const results = [await load(site, '/arcgis/admin/system/jobs?f=json')];
    results.push(await load(site, '/arcgis/admin/system/jobs?f=json&num=1000'));
    if (tasks) results.push(await load(site, '/sharing/rest/community/users/admin/tasks?f=json'));
    console.log(`  → ${writeResult('api', { rows: ROWS, results, machine: { before, after: machine() } })}`);
  } finally {
    await site.stop();
  }
}

runBenchmark(main);

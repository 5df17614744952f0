/**
 * scheduler: 10,000 active tasks against the api process alone (it runs the tasks scheduler; no worker, so runs stay
 * SUBMITTED and nothing executes). Two scenarios, one after the other, on the same api:
 *   - minute: each task once a minute (task i at second i mod 60: ~167 fires/s, every second), for the fires of one minute;
 *   - second: each task every second (10,000 fires/s), for the fires of 10 seconds. With no worker every task's first
 *     run stays queued, so its later fires are recorded `skipped` (previous run in progress): still one fire record
 *     each, the scheduler's whole job short of building a run.
 * Figures: fire lateness (the task_runs row's `created` − its scheduled time, for every fire; and the run row's
 * `submitted_at` − scheduled time for fires that started a run), fires handled per second, and the api's memory
 * (VmRSS) before the tasks exist and sampled every second while firing. TaskRunHistoryCount is raised so that no fire
 * record of the window is pruned before it is counted.
 *
 *   npm run bench:scheduler       (BENCH_TASKS=10000, BENCH_SCENARIOS=minute,second)
 *
 * The tasks are inserted with SQL in the schema of libs/tasks (cron fields with `second`, next_fire_at set to the first
 * fire), as createTask would store them; creating 10,000 through the API would measure the API, not the scheduler.
 */
import { readFileSync } from 'node:fs';
import { machine, oneCell, percentiles, Site, sleep, writeResult, runBenchmark } from './support';

const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
const ONLY = (process.env.BENCH_SCENARIOS ?? 'minute,second').split(',').map((x) => x.trim());

const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

interface Scenario {
  name: 'minute' | 'second';
  schedule: string;
  /** SQL for the `second` cron field of task g. */
  secondSql: string;
  /** SQL for task g's first fire, from $4 = the start (epoch ms). */
  firstFireSql: string;
  windowMs: number;
  /** How long after the window the benchmark waits for the fires of the window to be recorded. */
  catchUpMs: number;
  expected: number;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'minute',
    schedule: 'each task once a minute, at second (i mod 60): ~167 fires/s',
    secondSql: `(g % 60)::text`,
    firstFireSql: `to_timestamp(($4::bigint + (g % 60) * 1000) / 1000.0)`,
    windowMs: 60_000,
    catchUpMs: 120_000,
    expected: TASKS,
  },
  {
    name: 'second',
    schedule: 'each task every second: 10,000 fires/s',
    secondSql: `'*'`,
    firstFireSql: `to_timestamp($4::bigint / 1000.0)`,
    windowMs: 10_000,
    catchUpMs: 60_000,
    expected: TASKS * 10,
  },
];

async function scenario(site: Site, s: Scenario, itemId: string, ownerId: string, pid: number) {
  await site.pg.query(`DELETE FROM tasks`); // task runs by cascade
  await site.pg.query(`DELETE FROM runs`);
  // The first fire: a minute boundary at least 15 s away (time to insert the tasks).
  const startAt = Math.ceil((Date.now() + 15_000) / 60_000) * 60_000;
  const t = Date.now();
  await site.pg.query(
    `INSERT INTO tasks (id, owner_id, item_id, type, title, cron, parameters, occurrences, active, task_state, next_fire_at, created, updated)
     SELECT md5('task' || g), $2, $1, 'ExecuteNotebook', 'task ' || g,
            jsonb_build_object('second', ${s.secondSql}, 'minute', '*', 'hour', '*', 'dayOfMonth', '*', 'month', '*', 'dayOfWeek', '*'),
            '{"updatePortalItem": false, "saveInjectedParameters": false}'::jsonb, 0, true, 'active',
            ${s.firstFireSql}, now(), now()
     FROM generate_series(1, $3) g`,
    [itemId, ownerId, TASKS, startAt],
  );
  console.log(`${s.name}: ${s.schedule}; ${TASKS} tasks inserted in ${Date.now() - t} ms; first fire at ${new Date(startAt).toISOString()}`);
  await sleep(Math.max(0, startAt - Date.now()));

  const rss: number[] = [];
  const windowEnd = startAt + s.windowMs;
  const until = windowEnd + s.catchUpMs;
  const inWindow = [new Date(startAt), new Date(windowEnd)];
  while (Date.now() < until) {
    rss.push(rssMiB(pid));
    const fired = Number((await site.pg.query(`SELECT count(*) FROM task_runs WHERE scheduled_for >= $1 AND scheduled_for < $2`, inWindow)).rows[0].count);
    if (Date.now() > windowEnd && fired >= s.expected) break;
    await sleep(1000);
  }
  // Stop firing before reading, so the figures are of the window alone.
  await site.pg.query(`UPDATE tasks SET active = false`);
  const rows = (
    await site.pg.query(
      `SELECT EXTRACT(EPOCH FROM (tr.created - tr.scheduled_for)) * 1000 AS recorded_ms,
              EXTRACT(EPOCH FROM (r.submitted_at - tr.scheduled_for)) * 1000 AS run_ms, tr.status
       FROM task_runs tr LEFT JOIN runs r ON r.id = tr.run_id
       WHERE tr.scheduled_for >= $1 AND tr.scheduled_for < $2`,
      inWindow,
    )
  ).rows as Array<{ recorded_ms: string; run_ms: string | null; status: string }>;
  const runLate = percentiles(rows.filter((r) => r.run_ms !== null).map((r) => Number(r.run_ms)));
  const recLate = percentiles(rows.map((r) => Number(r.recorded_ms)));
  const statuses = rows.reduce<Record<string, number>>((a, r) => ((a[r.status] = (a[r.status] ?? 0) + 1), a), {});
  // Fires handled per second: every fire of the window over the time from its start to the last record.
  const lastRecordedMs = Number(
    (await site.pg.query(`SELECT EXTRACT(EPOCH FROM max(created)) * 1000 AS t FROM task_runs WHERE scheduled_for >= $1 AND scheduled_for < $2`, inWindow)).rows[0].t,
  );
  const firesPerSecond = Math.round(rows.length / Math.max(1, (lastRecordedMs - startAt) / 1000));
  const result = {
    schedule: s.schedule,
    firesInWindow: rows.length,
    expectedFires: s.expected,
    statuses,
    firesPerSecond,
    lateness: { runSubmittedMinusScheduledMs: runLate, fireRecordedMinusScheduledMs: recLate },
    apiRssMiB: { whileFiring: percentiles(rss) },
  };
  console.log(`  fires recorded for the window: ${rows.length}/${s.expected} ${JSON.stringify(statuses)}; ${firesPerSecond} fires/s handled`);
  console.log(`  lateness (fire recorded − scheduled) p50 ${recLate.p50?.toFixed(0)} ms  p99 ${recLate.p99?.toFixed(0)} ms  max ${recLate.max?.toFixed(0)} ms`);
  console.log(`  lateness (run submitted − scheduled) p50 ${runLate.p50?.toFixed(0)} ms  p99 ${runLate.p99?.toFixed(0)} ms  max ${runLate.max?.toFixed(0)} ms`);
  console.log(`  api RSS while firing p50 ${result.apiRssMiB.whileFiring.p50} MiB, max ${result.apiRssMiB.whileFiring.max} MiB`);
  return result;
}

async function main() {
  const before = machine();
  console.log(`scheduler: ${TASKS} tasks; machine ${JSON.stringify(before)}`);
  const site = await Site.start({ worker: false });
  const pid = site.api.child.pid!;
  try {
    const itemId = await site.addNotebook(oneCell());
    const [{ id: ownerId }] = (await site.pg.query(`SELECT id FROM users WHERE username = 'admin'`)).rows;
    // Keep every fire record: the default history (30 per task) would prune the measured fires of "second" mid-way.
    await site.setProperties({ TaskRunHistoryCount: 10_000 });
    await sleep(2000);
    const rssIdle = rssMiB(pid);
    console.log(`  api RSS idle, before any task exists: ${rssIdle} MiB`);
    const results: Record<string, unknown> = {};
    for (const s of SCENARIOS.filter((x) => ONLY.includes(x.name))) results[s.name] = await scenario(site, s, itemId, ownerId, pid);
    const result = { tasks: TASKS, processes: 'api only (1 scheduler loop); no worker', apiRssIdleMiB: rssIdle, ...results, machine: { before, after: machine() } };
    console.log(`  → ${writeResult('scheduler', result)}`);
  } finally {
    await site.stop();
  }
}

runBenchmark(main);

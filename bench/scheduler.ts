/**
 * scheduler: 10,000 active tasks, each firing once a minute (task i at second i mod 60, so ~167 fires per
 * second, every second), against the api process alone (it runs the tasks scheduler; no worker, so runs stay
 * SUBMITTED and nothing executes). Measures, for the fires of one minute:
 *   - fire lateness = the run row's submitted_at − the scheduled time (runs started by the fire), p50/p99/max,
 *     and the task_runs row's created − scheduled time for every fire;
 *   - the api's resident memory (VmRSS of its process) before the tasks exist, and sampled every second while firing.
 *
 *   npm run bench:scheduler       (BENCH_TASKS=10000)
 *
 * The tasks are inserted with SQL in the schema of libs/tasks (cron fields with `second`, next_fire_at set to the first
 * fire), as createTask would store them; creating 10,000 through the API would measure the API, not the scheduler.
 * "Each second" for 10,000 tasks (10,000 fires/s) is beyond one Postgres-backed process on 2 cores; not attempted.
 */
import { readFileSync } from 'node:fs';
import { machine, oneCell, percentiles, Site, sleep, writeResult, runBenchmark } from './support';

const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);

const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

async function main() {
  const before = machine();
  console.log(`scheduler: ${TASKS} tasks firing once a minute; machine ${JSON.stringify(before)}`);
  const site = await Site.start({ worker: false });
  const pid = site.api.child.pid!;
  try {
    const itemId = await site.addNotebook(oneCell());
    const [{ id: ownerId }] = (await site.pg.query(`SELECT id FROM users WHERE username = 'admin'`)).rows;
    await sleep(2000);
    const rssIdle = rssMiB(pid);
    // The first fire: the minute boundary at least 15 s away (time to insert the tasks).
    const startAt = Math.ceil((Date.now() + 15_000) / 60_000) * 60_000;
    const t = Date.now();
    await site.pg.query(
      `INSERT INTO tasks (id, owner_id, item_id, type, title, cron, parameters, occurrences, active, task_state, next_fire_at, created, updated)
       SELECT md5('task' || g), $2, $1, 'ExecuteNotebook', 'task ' || g,
              jsonb_build_object('second', (g % 60)::text, 'minute', '*', 'hour', '*', 'dayOfMonth', '*', 'month', '*', 'dayOfWeek', '*'),
              '{"updatePortalItem": false, "saveInjectedParameters": false}'::jsonb, 0, true, 'active',
              to_timestamp(($4::bigint + (g % 60) * 1000) / 1000.0), now(), now()
       FROM generate_series(1, $3) g`,
      [itemId, ownerId, TASKS, startAt],
    );
    console.log(`  ${TASKS} tasks inserted in ${Date.now() - t} ms; first fire at ${new Date(startAt).toISOString()}`);
    await sleep(Math.max(0, startAt - Date.now()));

    const rss: number[] = [];
    const windowEnd = startAt + 60_000;
    const until = windowEnd + 120_000; // at most two more minutes to catch up
    let fired = 0;
    while (Date.now() < until) {
      rss.push(rssMiB(pid));
      fired = Number(
        (await site.pg.query(`SELECT count(*) FROM task_runs WHERE scheduled_for >= $1 AND scheduled_for < $2`, [new Date(startAt), new Date(windowEnd)])).rows[0]
          .count,
      );
      if (Date.now() > windowEnd && fired >= TASKS) break;
      await sleep(1000);
    }
    const rows = (
      await site.pg.query(
        `SELECT EXTRACT(EPOCH FROM (tr.created - tr.scheduled_for)) * 1000 AS recorded_ms,
                EXTRACT(EPOCH FROM (r.submitted_at - tr.scheduled_for)) * 1000 AS run_ms, tr.status
         FROM task_runs tr LEFT JOIN runs r ON r.id = tr.run_id
         WHERE tr.scheduled_for >= $1 AND tr.scheduled_for < $2`,
        [new Date(startAt), new Date(windowEnd)],
      )
    ).rows as Array<{ recorded_ms: string; run_ms: string | null; status: string }>;
    const runLate = percentiles(rows.filter((r) => r.run_ms !== null).map((r) => Number(r.run_ms)));
    const recLate = percentiles(rows.map((r) => Number(r.recorded_ms)));
    const statuses = rows.reduce<Record<string, number>>((a, r) => ((a[r.status] = (a[r.status] ?? 0) + 1), a), {});
    const result = {
      tasks: TASKS,
      schedule: 'each task once a minute, at second (i mod 60): ~167 fires/s',
      processes: 'api only (1 scheduler loop); no worker',
      firesInWindow: rows.length,
      expectedFires: TASKS,
      statuses,
      firesPerSecond: Math.round((rows.length / Math.max(1, (Math.max(...rows.map((r) => Number(r.recorded_ms))) + 60_000) / 1000)) * 10) / 10,
      lateness: { runSubmittedMinusScheduledMs: runLate, fireRecordedMinusScheduledMs: recLate },
      apiRssMiB: { idleWithoutTasks: rssIdle, whileFiring: percentiles(rss) },
      machine: { before, after: machine() },
    };
    console.log(`  fires recorded for the minute: ${rows.length}/${TASKS} ${JSON.stringify(statuses)}`);
    console.log(`  lateness (run submitted − scheduled) p50 ${runLate.p50?.toFixed(0)} ms  p99 ${runLate.p99?.toFixed(0)} ms  max ${runLate.max?.toFixed(0)} ms`);
    console.log(`  api RSS idle ${rssIdle} MiB; while firing p50 ${result.apiRssMiB.whileFiring.p50} MiB, max ${result.apiRssMiB.whileFiring.max} MiB`);
    console.log(`  → ${writeResult('scheduler', result)}`);
  } finally {
    await site.stop();
  }
}

runBenchmark(main);

import { FakeClock } from '@app/clock';
import { RunQueue } from '@app/execution';
import { ApiHarness } from './support/api-harness';
import { eventually } from './support/worker-harness';

jest.setTimeout(120_000);

const EVERY_SECOND = { second: '*', minute: '*', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '*' };
const PARAMETERS = { updatePortalItem: false, saveInjectedParameters: false };

/**
 * The scheduler's batched firing on real Postgres and BullMQ, with a clock the test moves. There is no worker, so the
 * runs stay queued: that is what makes the second fire of each task a skip.
 */
describe('task scheduler batches (Postgres, Redis, BullMQ)', () => {
  const N = 250; // several batches of one transaction each
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 + 500);
  const clock = new FakeClock(t0);
  let h: ApiHarness;

  beforeAll(async () => {
    h = await ApiHarness.start({}, { clock });
  });

  afterAll(async () => {
    await h?.stop();
  });

  const n = async (sql: string, params: unknown[] = []) => (await h.ds.query(sql, params))[0].n as number;

  async function insertTasks(ids: string, count: number, cron: object, itemId: string, ownerId: string, due: Date) {
    // Stored with SQL as createTask stores them: 250 creates through the API would only slow the test down.
    await h.ds.query(
      `INSERT INTO tasks (id, owner_id, item_id, type, title, cron, parameters, occurrences, active, task_state, next_fire_at, created, updated)
       SELECT md5($1 || g), $2, $3, 'ExecuteNotebook', $1 || g, $4, $5, 0, true, 'active', $6, $6, $6 FROM generate_series(1, $7) g`,
      [ids, ownerId, itemId, JSON.stringify(cron), JSON.stringify(PARAMETERS), due, count],
    );
  }

  it(`${N} tasks due at once: each fires once and its run is queued; a task that cannot fire holds up none of them`, async () => {
    const admin = await h.token();
    const itemId = await h.addNotebook(admin, 'admin');
    const [{ id: ownerId }] = await h.ds.query(`SELECT id FROM users WHERE username = 'admin'`);
    const due = new Date(t0.getTime() - 500);
    // A stored schedule the parser refuses (as if written by an older version): its fire fails every time.
    await insertTasks('broken', 1, { ...EVERY_SECOND, second: '99' }, itemId, ownerId, due);
    await insertTasks('task', N, EVERY_SECOND, itemId, ownerId, due);

    await eventually(async () => (await n(`SELECT count(*)::int AS n FROM task_runs`)) >= N, 30_000);
    expect(await n(`SELECT count(*)::int AS n FROM task_runs WHERE status = 'scheduled' AND scheduled_for = $1`, [due])).toBe(N);
    expect(await n(`SELECT count(DISTINCT task_id)::int AS n FROM task_runs`)).toBe(N);
    expect(await n(`SELECT count(*)::int AS n FROM runs WHERE status = 'SUBMITTED' AND trigger = 'task'`)).toBe(N);
    const next = new Date(t0.getTime() + 500);
    expect(await n(`SELECT count(*)::int AS n FROM tasks WHERE next_fire_at = $1 AND occurrences = 1 AND last_start = $2`, [next, t0])).toBe(N);
    // Every run is on the queue under its own id.
    const queue = h.app.get(RunQueue).queue;
    const runIds: string[] = (await h.ds.query(`SELECT id FROM runs`)).map((r: { id: string }) => r.id);
    await eventually(async () => (await queue.getWaitingCount()) === N, 10_000);
    expect((await Promise.all(runIds.map((id) => queue.getJob(id)))).every((j) => j?.data.runId === j?.id)).toBe(true);
    // The broken task is still due, with nothing recorded.
    expect(await n(`SELECT count(*)::int AS n FROM task_runs WHERE task_id = md5('broken1')`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM tasks WHERE id = md5('broken1') AND next_fire_at = $1`, [due])).toBe(1);

    // One second later every task is due again while its run is still queued: each fire is recorded as skipped.
    clock.advance(1000);
    await eventually(async () => (await n(`SELECT count(*)::int AS n FROM task_runs WHERE status = 'skipped'`)) === N, 30_000);
    expect(await n(`SELECT count(*)::int AS n FROM task_runs WHERE status = 'skipped' AND scheduled_for = $1`, [next])).toBe(N);
    expect(await n(`SELECT count(*)::int AS n FROM runs`)).toBe(N);
    expect(await queue.getWaitingCount()).toBe(N);
  });
});

import { RedisConnections } from '@app/queues';
import { TaskScheduler } from '@app/tasks';
import { ApiHarness } from './support/api-harness';
import { AppProcess, envFor } from './support/processes';
import { TasksApi } from './support/tasks-api';
import { eventually } from './support/worker-harness';

jest.setTimeout(120_000);

// Yearly at midnight on 1 January: never due while these tests run.
const YEARLY = { second: '0', minute: '0', hour: '0', dayOfMonth: '1', month: 'JAN', dayOfWeek: '?' };
// The next second, once: the task fires one time and is then completed.
const NEXT_SECOND_ONCE = { second: '*', minute: '*', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '?', maxOccurrences: '1' };

/**
 * A scheduler sleeps until its next known fire and is woken through Redis when a task changes in another process.
 * Tasks are changed through this test's api, whose own scheduler is stopped; the only scheduler left is in a second,
 * built api process (`npm run build`) whose safety poll is 10 minutes. So a fire within these tests can only come from
 * that process hearing of the change. No worker: the runs stay queued.
 */
describe('scheduler wake-up across processes (Postgres, Redis)', () => {
  let h: ApiHarness;
  let other: AppProcess;
  let tasks: TasksApi;
  let itemId: string;

  beforeAll(async () => {
    h = await ApiHarness.start();
    await h.app.get(TaskScheduler).onApplicationShutdown(); // this process fires nothing
    other = AppProcess.start('api', envFor(h.config, { PORT: '0', NODE_NAME: `${h.config.nodeName}-b`, SCHEDULER_POLL_SECONDS: '600' }));
    await other.waitFor('listening on', 60_000);
    // Both processes subscribed to the wake-ups (this one's scheduler is stopped, its subscription stays).
    const redis = h.app.get(RedisConnections);
    await eventually(async () => {
      const [, n] = (await redis.main.call('PUBSUB', 'NUMSUB', `${redis.prefix}:tasks:next-fire`)) as [string, number];
      return n >= 2;
    }, 30_000, 100);
    const admin = await h.token();
    tasks = new TasksApi(h, admin, 'admin');
    itemId = await h.addNotebook(admin, 'admin');
  });

  afterAll(async () => {
    await other?.stop();
    await h?.stop();
  });

  const q = (sql: string, params: unknown[]) => h.ds.query(sql, params);

  /** The task fired once, in the other process, and is done: one fire record, one run, one occurrence. */
  async function firedOnce(taskId: string): Promise<void> {
    await eventually(async () => (await q(`SELECT task_state FROM tasks WHERE id = $1`, [taskId]))[0].task_state === 'completed', 60_000);
    const fires = await q(`SELECT status, run_id FROM task_runs WHERE task_id = $1`, [taskId]);
    expect(fires).toEqual([{ status: 'scheduled', run_id: expect.any(String) }]);
    const runs = await q(`SELECT id, status FROM runs WHERE task_id = $1`, [taskId]);
    expect(runs).toEqual([{ id: fires[0].run_id, status: 'SUBMITTED' }]);
    expect((await q(`SELECT occurrences, active FROM tasks WHERE id = $1`, [taskId]))[0]).toEqual({ occurrences: 1, active: false });
  }

  it('a task created here fires in the other process', async () => {
    await firedOnce(await tasks.createOk(itemId, NEXT_SECOND_ONCE));
  });

  it('a task updated here to fire now fires in the other process', async () => {
    const taskId = await tasks.createOk(itemId, YEARLY);
    expect((await tasks.post(taskId, 'update', NEXT_SECOND_ONCE)).status).toBe(200);
    await firedOnce(taskId);
  });

  it('a paused task enabled here fires in the other process', async () => {
    const taskId = await tasks.createOk(itemId, YEARLY);
    expect((await tasks.post(taskId, 'disable')).status).toBe(200);
    // Changed while paused: no wake-up is sent for an inactive task, so only the enable can wake the other process.
    expect((await tasks.post(taskId, 'update', NEXT_SECOND_ONCE)).status).toBe(200);
    expect((await tasks.get(taskId)).body).toMatchObject({ active: false });
    expect((await tasks.post(taskId, 'enable')).status).toBe(200);
    await firedOnce(taskId);
  });
});

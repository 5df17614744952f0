import { FakeClock } from '@app/clock';
import type { AppConfig } from '@app/config';
import type { RunEntity, TaskEntity } from '@app/db';
import { RunHooks, SystemPropertiesService } from '@app/execution';
import { TaskOutcomes } from './task-outcomes.service';
import type { TasksRepository } from './tasks.repository';

describe('TaskOutcomes: failures that count towards disabling a task', () => {
  const setup = (consecutiveFailures: number) => {
    const task = { id: 't1', active: true, consecutiveFailures, maxRetries: 0, retryDelaySeconds: 0 } as unknown as TaskEntity;
    const updates: Array<Partial<TaskEntity>> = [];
    const tasks = {
      transaction: async <T>(fn: (m: unknown) => Promise<T>) => fn({}),
      finishTaskRun: async () => ({ taskId: 't1', attempt: 1, trigger: 'task' }),
      lock: async () => task,
      update: async (_id: string, patch: Partial<TaskEntity>) => void updates.push(patch),
      beyondHistory: async () => [],
      deleteTaskRuns: async () => undefined,
    } as unknown as TasksRepository;
    // Retries are off (maxRetries 0): what they would use is never called.
    const unused = (n: number) => Array.from({ length: n }, () => ({}) as never) as [never, never, never, never];
    const config = { tasks: { retryMaxDelaySeconds: 3600 } } as unknown as AppConfig;
    const props = { getAll: async () => ({ FailedRunsToDisableTask: 5, TaskRunHistoryCount: 30 }) } as unknown as SystemPropertiesService;
    return { updates, outcomes: new TaskOutcomes(tasks, props, new RunHooks(), ...unused(4), new FakeClock(), config) };
  };
  const run = (patch: Partial<RunEntity>) =>
    ({ id: 'r1', trigger: 'task', taskId: 't1', status: 'FAILED', cancelled: false, error: null, messages: [], result: null, ...patch }) as RunEntity;

  it('a notebook failure counts, and the 5th disables the task', async () => {
    const { updates, outcomes } = setup(4);
    await outcomes.record(run({ messages: ['cell raised'] }));
    expect(updates).toEqual([expect.objectContaining({ consecutiveFailures: 5, active: false, taskState: 'disabled' })]);
  });

  it('an infrastructure failure (the engine lost the run) neither counts nor resets the count', async () => {
    const { updates, outcomes } = setup(4);
    await outcomes.record(run({ result: { infrastructureFailure: true } }));
    expect(updates).toEqual([]);
  });
});

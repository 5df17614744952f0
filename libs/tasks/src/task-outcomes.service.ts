import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '@app/clock';
import { RunEntity, TaskEntity } from '@app/db';
import { RunHooks, SystemProperties, SystemPropertiesService } from '@app/execution';
import { TasksRepository } from './tasks.repository';

/**
 * What a finished run means for its task: the task run's status, the count of consecutive failures (which disables
 * the task at `FailedRunsToDisableTask`), and the history limit (`TaskRunHistoryCount`).
 */
@Injectable()
export class TaskOutcomes implements OnModuleInit {
  private readonly log = new Logger('TaskOutcomes');

  constructor(
    private readonly tasks: TasksRepository,
    private readonly props: SystemPropertiesService,
    private readonly hooks: RunHooks,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // Worker processes call this when a run ends; housekeeping calls `record` for any outcome this missed.
    this.hooks.onFinished((run) => this.record(run));
  }

  /** Records the outcome of a task's run once (later calls for the same run change nothing). */
  async record(run: RunEntity): Promise<void> {
    if (run.trigger !== 'task' || !run.taskId) return;
    const props = await this.props.getAll();
    const ok = run.status === 'COMPLETED';
    const result = ok ? 'Notebook executed successfully.' : failureMessage(run);
    const taskId = await this.tasks.transaction(async (m) => {
      const id = await this.tasks.finishTaskRun(run.id, ok ? 'succeeded' : 'failed', result, this.clock.now(), m);
      if (!id) return null;
      const task = await this.tasks.lock(id, m);
      if (!task) return null;
      // An infrastructure failure (engine or node lost mid-run) is not the notebook's: it neither counts nor resets.
      if (!ok && run.result?.infrastructureFailure === true) return id;
      const patch = ok ? { consecutiveFailures: 0 } : this.failureCounted(task, result, props);
      await this.tasks.update(task.id, patch, m);
      return id;
    });
    if (taskId) await this.prune(taskId, props.TaskRunHistoryCount);
  }

  /** One more consecutive failure; at the limit the task is disabled and says why. */
  failureCounted(task: TaskEntity, why: string, props: SystemProperties): Partial<TaskEntity> {
    const n = task.consecutiveFailures + 1;
    if (n < props.FailedRunsToDisableTask || !task.active) return { consecutiveFailures: n };
    this.log.log(`task ${task.id} disabled after ${n} consecutive failed runs`);
    return {
      consecutiveFailures: n,
      active: false,
      taskState: 'disabled',
      nextFireAt: null,
      disabledReason: `Disabled after ${n} consecutive failed runs (FailedRunsToDisableTask = ${props.FailedRunsToDisableTask}); the last: ${why} Make sure the notebook runs without interaction, then enable the task.`,
    };
  }

  /** Keeps the newest `keep` runs of a task; older ones go with their runs and snapshots. */
  async prune(taskId: string, keep: number): Promise<number> {
    return this.tasks.transaction(async (m) => {
      const old = await this.tasks.beyondHistory(taskId, keep, m);
      await this.tasks.deleteTaskRuns(old, m);
      return old.length;
    });
  }
}

function failureMessage(run: RunEntity): string {
  if (run.cancelled) return 'The run was cancelled.';
  if (run.error) return `Error in cell ${run.error.cellIndex}: ${run.error.ename}: ${run.error.evalue}`;
  const last = [...run.messages].reverse().find((m) => !m.startsWith('Submitted by') && !m.startsWith('Executing on'));
  return last ?? 'The run failed.';
}

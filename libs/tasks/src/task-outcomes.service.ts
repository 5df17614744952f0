import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { newId, RunEntity, TaskEntity } from '@app/db';
import { RunHooks, RunQueue, runLogLine, RunsRepository, RunsService, SystemProperties, SystemPropertiesService } from '@app/execution';
import { UsersRepository } from '@app/identity';
import { DomainError } from '@app/rest';
import { retryDelaySeconds, shouldRetry } from './retry-policy';
import { FinishedTaskRun, TasksRepository } from './tasks.repository';

/** A retry stored with the failed attempt's outcome, queued after the commit. */
interface Retry {
  runId: string;
  delaySeconds: number;
}

/**
 * What a finished run means for its task: the task run's status, a retry (`maxRetries`, with back-off), the count of
 * consecutive failures (which disables the task at `FailedRunsToDisableTask`), and the history limit (`TaskRunHistoryCount`).
 * Only the last attempt of a fire counts: a failed attempt that is retried changes no count.
 */
@Injectable()
export class TaskOutcomes implements OnModuleInit {
  private readonly log = new Logger('TaskOutcomes');

  constructor(
    private readonly tasks: TasksRepository,
    private readonly props: SystemPropertiesService,
    private readonly hooks: RunHooks,
    private readonly runs: RunsService,
    private readonly runRows: RunsRepository,
    private readonly queue: RunQueue,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // Worker processes call this when a run ends; housekeeping calls `record` for any outcome this missed.
    this.hooks.onFinished((run) => this.record(run));
  }

  /** Records the outcome of a task's run once (later calls for the same run change nothing). */
  async record(run: RunEntity): Promise<void> {
    if ((run.trigger !== 'task' && run.trigger !== 'manual') || !run.taskId) return;
    const props = await this.props.getAll();
    const ok = run.status === 'COMPLETED';
    const result = ok ? 'Notebook executed successfully.' : failureMessage(run);
    let retry: Retry | null = null;
    const taskId = await this.tasks.transaction(async (m) => {
      const tr = await this.tasks.finishTaskRun(run.id, ok ? 'succeeded' : 'failed', result, this.clock.now(), m);
      if (!tr) return null;
      const task = await this.tasks.lock(tr.taskId, m);
      if (!task) return null;
      if (!ok) retry = await this.retry(task, tr, run, result, m);
      // An infrastructure failure (engine or node lost mid-run) is not the notebook's: it neither counts nor resets.
      const infrastructure = !ok && run.result?.infrastructureFailure === true;
      if (!retry && !infrastructure) await this.tasks.update(task.id, ok ? { consecutiveFailures: 0 } : this.failureCounted(task, result, props), m);
      return task.id;
    });
    if (retry) await this.enqueueRetry(retry);
    if (taskId) await this.prune(taskId, props.TaskRunHistoryCount);
  }

  /**
   * Stores the retry of a failed attempt (a new run, and a task run linked to this one) when the task allows one;
   * null when it does not, or when the retry cannot be submitted (the notebook is gone: the failure then counts).
   */
  private async retry(task: TaskEntity, tr: FinishedTaskRun, run: RunEntity, result: string, m: EntityManager): Promise<Retry | null> {
    const manual = tr.trigger === 'manual';
    if (!shouldRetry({ attempt: tr.attempt, maxRetries: task.maxRetries, cancelled: run.cancelled, taskActive: task.active, manual })) return null;
    const delaySeconds = retryDelaySeconds(task.retryDelaySeconds, tr.attempt, this.config.tasks.retryMaxDelaySeconds);
    const attempt = tr.attempt + 1;
    let next: RunEntity;
    try {
      const owner = await this.users.findById(task.ownerId);
      if (!owner) throw DomainError.notFound('User', task.ownerId);
      // The retry repeats the failed attempt: same parameters (run-now overrides included).
      next = await this.runs.prepare({
        trigger: run.trigger,
        taskId: task.id,
        itemId: task.itemId,
        owner: { id: owner.id, username: owner.username },
        parameters: run.parameters,
        updatePortalItem: run.updatePortalItem,
        saveInjectedParameters: run.saveInjectedParameters,
        timeoutMinutes: run.timeoutMinutes,
        runtime: run.runtime,
        retryOnInfrastructureFailure: run.retryOnInfrastructureFailure,
      });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      await this.tasks.setTaskRunResult(tr.id, `${result} The retry could not be submitted: ${e.message}`, m);
      return null;
    }
    next.messages.push(`Attempt ${attempt} of ${task.maxRetries + 1}: retries job ${run.id}, after a pause of ${delaySeconds} s.`);
    const now = this.clock.now();
    await this.runRows.insert(next, m);
    await this.tasks.insertTaskRuns(
      [
        {
          id: newId(),
          taskId: task.id,
          scheduledFor: new Date(now.getTime() + delaySeconds * 1000),
          status: 'scheduled',
          runId: next.id,
          result: `Retry ${attempt - 1} of ${task.maxRetries}: submitted, starts in ${delaySeconds} s.`,
          trigger: tr.trigger,
          attempt,
          retryOf: tr.id,
          created: now,
          modified: now,
        },
      ],
      m,
    );
    await this.tasks.setTaskRunResult(tr.id, `${result} Retrying in ${delaySeconds} s (attempt ${attempt} of ${task.maxRetries + 1}).`, m);
    this.log.log(runLogLine(next, 'SUBMITTED', { retryOf: run.id, attempt, delaySeconds }));
    return { runId: next.id, delaySeconds };
  }

  private async enqueueRetry(r: Retry): Promise<void> {
    try {
      await this.queue.enqueue(r.runId, r.delaySeconds * 1000);
    } catch (e) {
      // Stored as SUBMITTED: execution's housekeeping queues it.
      this.log.warn(`retry ${r.runId} not queued yet (housekeeping will): ${(e as Error).message}`);
    }
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
  const last = [...run.messages].reverse().find((m) => !m.startsWith('Submitted by') && !m.startsWith('Executing on') && !m.startsWith('Attempt '));
  return last ?? 'The run failed.';
}

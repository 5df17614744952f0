import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@app/clock';
import { newId, RunEntity, TaskEntity, TaskRunEntity, TaskRunStatus, UserEntity } from '@app/db';
import { RunQueue, RunsRepository, RunsService, SubmitRun, SystemProperties, SystemPropertiesService } from '@app/execution';
import { UsersRepository } from '@app/identity';
import { Metrics } from '@app/metrics';
import { DomainError } from '@app/rest';
import { CronSchedule } from './cron-schedule';
import { fireMetric } from './fire-metrics';
import { planFires } from './fire-plan';
import { TaskOutcomes } from './task-outcomes.service';
import { TasksRepository } from './tasks.repository';
import { notebookParametersOf } from './task-parameters';

/** How often each process looks for due tasks; fires are at most about this late. */
export const TICK_MS = 250;
/** Due tasks claimed and fired in one transaction: one commit and one queue round trip for all of them. */
const BATCH = 100;
/** Due tasks one process handles per tick, so one tick stays short. */
const MAX_FIRES_PER_TICK = 1_000;
/** A task whose fire failed unexpectedly is left alone this long (by this process) before it is tried again. */
const RETRY_MS = 2_000;

class DuplicateFire extends Error {}

/** What one transaction's fires write: task runs, runs and the tasks' new state. */
interface Fired {
  taskRuns: TaskRunEntity[];
  runs: RunEntity[];
  tasks: TaskEntity[];
}

/**
 * Fires due tasks. Every api and worker process runs this loop; Postgres makes each fire happen once:
 * due tasks are claimed with FOR UPDATE SKIP LOCKED, their fires recorded (unique per task and time), their runs stored
 * and `next_fire_at` advanced in one transaction per batch. The runs are queued after commit; if that is lost,
 * execution's housekeeping re-queues SUBMITTED runs (job id = run id). Nothing lives in memory, so restarts lose no fire.
 */
@Injectable()
export class TaskScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('TaskScheduler');
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<unknown>;
  private stopped = false;
  private readonly backoff = new Map<string, number>();

  constructor(
    private readonly tasks: TasksRepository,
    private readonly runs: RunsService,
    private readonly runRows: RunsRepository,
    private readonly queue: RunQueue,
    private readonly props: SystemPropertiesService,
    private readonly users: UsersRepository,
    private readonly outcomes: TaskOutcomes,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.loop();
  }

  private loop(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((e) => this.log.warn(`tick failed: ${(e as Error).message}`))
        .finally(() => this.loop());
    }, TICK_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
  }

  /** Handles every task due now; returns how many were handled. */
  async tick(): Promise<number> {
    const props = await this.props.getAll();
    const prepare = this.runs.preparer();
    let handled = 0;
    // After a failed batch the rest of the tick goes one task at a time, to find the task that fails and back off from it.
    let batch = BATCH;
    while (handled < MAX_FIRES_PER_TICK && !this.stopped) {
      let claimed: string[] = [];
      let runIds: string[] = [];
      const nowMs = this.clock.nowMs();
      for (const [id, until] of this.backoff) if (until <= nowMs) this.backoff.delete(id);
      try {
        const n = await this.tasks.transaction(async (m) => {
          const due = await this.tasks.claimDue(this.clock.now(), Math.min(batch, MAX_FIRES_PER_TICK - handled), m, [...this.backoff.keys()]);
          claimed = due.map((t) => t.id);
          if (!due.length) return 0;
          runIds = await this.fireAll(due, props, prepare, m);
          return due.length;
        });
        if (!n) break;
        handled += n;
      } catch (e) {
        if (!claimed.length) throw e;
        // Rolled back, so the fires are still due.
        if (claimed.length > 1) {
          batch = 1;
          continue;
        }
        this.log.warn(`task ${claimed[0]}: fire failed, retrying in ${RETRY_MS} ms: ${(e as Error).message}`);
        this.backoff.set(claimed[0], nowMs + RETRY_MS);
        continue;
      }
      await this.queue.enqueueMany(runIds).catch((e) => this.log.warn(`${runIds.length} run(s) not queued yet (housekeeping will): ${(e as Error).message}`));
    }
    return handled;
  }

  /** Fires claimed tasks and writes the outcome in a few statements; returns the ids of the runs to queue. */
  private async fireAll(due: TaskEntity[], props: SystemProperties, prepare: (req: SubmitRun) => Promise<RunEntity>, m: EntityManager): Promise<string[]> {
    const ids = due.map((t) => t.id);
    const [open, owners] = await Promise.all([this.tasks.openRuns(ids, m), this.ownersOf(due)]);
    const out: Fired = { taskRuns: [], runs: [], tasks: [] };
    // The notebook reads of `prepare` go outside the transaction, all at once.
    await Promise.all(due.map((t) => this.fire(t, props, open, owners.get(t.ownerId) ?? null, prepare, out)));
    if ((await this.tasks.insertTaskRuns(out.taskRuns, m)) !== out.taskRuns.length) {
      throw new DuplicateFire(`a fire of task(s) ${ids.join(', ')} is already recorded`);
    }
    await this.runRows.insert(out.runs, m);
    await this.tasks.saveFired(out.tasks, m);
    return out.runs.map((r) => r.id);
  }

  private async ownersOf(due: TaskEntity[]): Promise<Map<string, UserEntity>> {
    const users = await this.users.findByIds([...new Set(due.map((t) => t.ownerId))]);
    return new Map(users.map((u) => [u.id, u]));
  }

  /** Decides one task's fire(s) and adds what they write to `out`. */
  private async fire(
    task: TaskEntity,
    props: SystemProperties,
    open: Map<string, string | null>,
    owner: UserEntity | null,
    prepare: (req: SubmitRun) => Promise<RunEntity>,
    out: Fired,
  ): Promise<void> {
    const now = this.clock.now();
    const schedule = CronSchedule.parse(task.cron);
    const plan = planFires(schedule, task, task.nextFireAt!, now, props.MissedFireGraceSeconds * 1000);
    const record = (at: Date, status: TaskRunStatus, result: string, runId: string | null = null) => {
      out.taskRuns.push({ id: newId(), taskId: task.id, scheduledFor: at, status, runId, result, created: now, modified: now });
      this.metrics.taskFire(...fireMetric(status, result, at, now));
    };
    for (const at of plan.missed) {
      const late = Math.round((now.getTime() - at.getTime()) / 1000);
      record(at, 'skipped', `Missed: no node of the site was firing tasks at this time (noticed ${late} s later, outside the grace window or superseded by a later fire).`);
    }
    const after: TaskEntity = { ...task, nextFireAt: plan.next };
    if (plan.run) Object.assign(after, await this.startRun(task, plan.run, props, open, owner, prepare, record, out));
    if (!after.nextFireAt && after.active) Object.assign(after, { active: false, taskState: 'completed' });
    out.tasks.push(after);
  }

  /** Starts the fire's run, or records why it did not: the previous run still going, or the run refused. */
  private async startRun(
    task: TaskEntity,
    at: Date,
    props: SystemProperties,
    open: Map<string, string | null>,
    owner: UserEntity | null,
    prepare: (req: SubmitRun) => Promise<RunEntity>,
    record: (at: Date, status: TaskRunStatus, result: string, runId?: string | null) => void,
    out: Fired,
  ): Promise<Partial<TaskEntity>> {
    if (open.has(task.id)) {
      record(at, 'skipped', `Skipped: the previous run (job ${open.get(task.id)}) was still in progress.`);
      return {};
    }
    try {
      if (!owner) throw DomainError.notFound('User', task.ownerId);
      const run = await prepare({
        trigger: 'task',
        taskId: task.id,
        itemId: task.itemId,
        owner: { id: owner.id, username: owner.username },
        parameters: notebookParametersOf(task.parameters),
        updatePortalItem: task.parameters.updatePortalItem,
        saveInjectedParameters: task.parameters.saveInjectedParameters,
        timeoutMinutes: task.parameters.executionTimeoutInMinutes,
      });
      record(at, 'scheduled', 'Submitted.', run.id);
      out.runs.push(run);
      const occurrences = task.occurrences + 1;
      const done = task.maxOccurrences !== null && occurrences >= task.maxOccurrences;
      return { occurrences, lastStart: this.clock.now(), ...(done ? { nextFireAt: null, active: false, taskState: 'completed' as const } : {}) };
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      record(at, 'submitfailed', `The run could not be submitted: ${e.message}`);
      return this.outcomes.failureCounted(task, `the run could not be submitted: ${e.message}`, props);
    }
  }
}

import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@app/clock';
import { newId, TaskEntity, TaskRunEntity, TaskRunStatus } from '@app/db';
import { RunQueue, RunsRepository, RunsService, SystemProperties, SystemPropertiesService } from '@app/execution';
import { UsersRepository } from '@app/identity';
import { DomainError } from '@app/rest';
import { CronSchedule } from './cron-schedule';
import { planFires } from './fire-plan';
import { TaskOutcomes } from './task-outcomes.service';
import { TasksRepository } from './tasks.repository';
import { notebookParametersOf } from './task-parameters';

/** How often each process looks for due tasks; fires are at most about this late. */
export const TICK_MS = 250;
/** Due tasks one process handles per tick (one transaction each), so one tick stays short. */
const MAX_FIRES_PER_TICK = 50;
/** A task whose fire failed unexpectedly is left alone this long (by this process) before it is tried again. */
const RETRY_MS = 2_000;

class DuplicateFire extends Error {}

/**
 * Fires due tasks. Every api and worker process runs this loop; Postgres makes each fire happen once:
 * a due task is claimed with FOR UPDATE SKIP LOCKED, its fire recorded (unique per task and time), its run stored and
 * `next_fire_at` advanced in one transaction. The run is queued after commit; if that is lost, execution's housekeeping
 * re-queues SUBMITTED runs (job id = run id). Nothing lives in memory, so restarts lose no fire.
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
    let handled = 0;
    while (handled < MAX_FIRES_PER_TICK && !this.stopped) {
      const enqueue: string[] = [];
      let claimed: string | undefined;
      const nowMs = this.clock.nowMs();
      for (const [id, until] of this.backoff) if (until <= nowMs) this.backoff.delete(id);
      try {
        const found = await this.tasks.transaction(async (m) => {
          const task = await this.tasks.claimDue(this.clock.now(), m, [...this.backoff.keys()]);
          if (!task) return false;
          claimed = task.id;
          await this.fire(task, props, m, enqueue);
          return true;
        });
        if (!found) break;
      } catch (e) {
        if (!claimed) throw e;
        // Rolled back, so the fire is still due: retry it shortly, and let other due tasks go first meanwhile.
        this.log.warn(`task ${claimed}: fire failed, retrying in ${RETRY_MS} ms: ${(e as Error).message}`);
        this.backoff.set(claimed, nowMs + RETRY_MS);
        continue;
      }
      handled++;
      for (const id of enqueue) await this.queue.enqueue(id).catch((e) => this.log.warn(`run ${id} not queued yet (housekeeping will): ${(e as Error).message}`));
    }
    return handled;
  }

  private async fire(task: TaskEntity, props: SystemProperties, m: EntityManager, enqueue: string[]): Promise<void> {
    const now = this.clock.now();
    const schedule = CronSchedule.parse(task.cron);
    const plan = planFires(schedule, task, task.nextFireAt!, now, props.MissedFireGraceSeconds * 1000);
    const record = async (at: Date, status: TaskRunStatus, result: string, runId: string | null = null) => {
      const row: TaskRunEntity = { id: newId(), taskId: task.id, scheduledFor: at, status, runId, result, created: now, modified: now };
      if (!(await this.tasks.insertTaskRun(row, m))) throw new DuplicateFire(`fire ${at.toISOString()} of task ${task.id} is already recorded`);
    };
    for (const at of plan.missed) {
      const late = Math.round((now.getTime() - at.getTime()) / 1000);
      await record(at, 'skipped', `Missed: no node of the site was firing tasks at this time (noticed ${late} s later, outside the grace window or superseded by a later fire).`);
    }
    const patch: Partial<TaskEntity> = { nextFireAt: plan.next };
    if (plan.run) Object.assign(patch, await this.startRun(task, plan.run, props, m, record, enqueue));
    if (!patch.nextFireAt && patch.active !== false) Object.assign(patch, { active: false, taskState: 'completed' });
    await this.tasks.update(task.id, patch, m);
  }

  /** Starts the fire's run, or records why it did not: the previous run still going, or the run refused. */
  private async startRun(
    task: TaskEntity,
    at: Date,
    props: SystemProperties,
    m: EntityManager,
    record: (at: Date, status: TaskRunStatus, result: string, runId?: string | null) => Promise<void>,
    enqueue: string[],
  ): Promise<Partial<TaskEntity>> {
    const previous = await this.tasks.openRun(task.id, m);
    if (previous) {
      await record(at, 'skipped', `Skipped: the previous run (job ${previous.runId}) was still in progress.`);
      return {};
    }
    const owner = await this.users.findById(task.ownerId);
    try {
      if (!owner) throw DomainError.notFound('User', task.ownerId);
      const run = await this.runs.prepare({
        trigger: 'task',
        taskId: task.id,
        itemId: task.itemId,
        owner: { id: owner.id, username: owner.username },
        parameters: notebookParametersOf(task.parameters),
        updatePortalItem: task.parameters.updatePortalItem,
        saveInjectedParameters: task.parameters.saveInjectedParameters,
        timeoutMinutes: task.parameters.executionTimeoutInMinutes,
      });
      await record(at, 'scheduled', 'Submitted.', run.id);
      await this.runRows.insert(run, m);
      enqueue.push(run.id);
      const occurrences = task.occurrences + 1;
      const done = task.maxOccurrences !== null && occurrences >= task.maxOccurrences;
      return { occurrences, lastStart: this.clock.now(), ...(done ? { nextFireAt: null, active: false, taskState: 'completed' as const } : {}) };
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      await record(at, 'submitfailed', `The run could not be submitted: ${e.message}`);
      return this.outcomes.failureCounted(task, `the run could not be submitted: ${e.message}`, props);
    }
  }
}

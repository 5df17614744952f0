import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@app/clock';
import { APP_CONFIG, AppConfig } from '@app/config';
import { newId, RunEntity, TaskEntity, TaskRunEntity, TaskRunStatus, UserEntity } from '@app/db';
import { RunQueue, RunsRepository, RunsService, SubmitRun, SystemProperties, SystemPropertiesService } from '@app/execution';
import { UsersRepository } from '@app/identity';
import { Metrics } from '@app/metrics';
import { DomainError } from '@app/rest';
import { CronSchedule } from './cron-schedule';
import { fireMetric } from './fire-metrics';
import { planFires } from './fire-plan';
import { TaskOutcomes } from './task-outcomes.service';
import { TaskWakeups } from './task-wakeups.service';
import { TasksRepository } from './tasks.repository';
import { runOptionsOf } from './task-parameters';

/** Due tasks claimed and fired in one transaction: one commit and one queue round trip for all of them. */
const BATCH = 100;
/** Due tasks one process handles per pass, so one pass stays short; the next pass starts at once. */
const MAX_FIRES_PER_PASS = 1_000;
/** A task whose fire failed unexpectedly is left alone this long (by this process) before it is tried again. */
const RETRY_MS = 2_000;
/** Batches claimed at once (each its own transaction; SKIP LOCKED keeps them apart): a burst's second batch need not wait for the first. */
const PARALLEL_BATCHES = 2;
/** A fire is due but another process holds it (firing it now): look again this soon, in case that process dies. */
const HELD_RETRY_MS = 50;

class DuplicateFire extends Error {}

/** What the lanes of one pass share: the properties and notebooks are read once per pass. */
interface Pass {
  props: Promise<SystemProperties>;
  prepare: (req: SubmitRun) => Promise<RunEntity>;
  handled: number;
}

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
 *
 * When: a pass runs at the earliest `next_fire_at` of the active tasks (a timer), earlier when a change anywhere
 * announces an earlier fire (`TaskWakeups`), and at least every `SCHEDULER_POLL_SECONDS` in case a message was lost.
 */
@Injectable()
export class TaskScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('TaskScheduler');
  private timer?: NodeJS.Timeout;
  /** When the armed timer fires (epoch ms of the clock); Infinity while none is armed (a pass is running). */
  private timerAt = Infinity;
  /** Earliest fire announced while a pass was running: the next timer is no later than it. */
  private announcedAt = Infinity;
  private passing?: Promise<unknown>;
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
    private readonly wakeups: TaskWakeups,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: with Redis down the process still starts (and fires, on its timer and safety poll).
    this.wakeups.listen((at) => this.wakeBy(at)).catch((e) => this.log.warn(`not listening for task changes: ${(e as Error).message}`));
    this.arm(this.clock.nowMs());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.passing;
  }

  /** A task may fire at `atMs`: make sure a pass runs by then. */
  private wakeBy(atMs: number): void {
    if (this.stopped) return;
    if (this.passing) this.announcedAt = Math.min(this.announcedAt, atMs);
    else if (atMs < this.timerAt) this.arm(atMs);
  }

  private arm(atMs: number): void {
    clearTimeout(this.timer);
    this.timerAt = atMs;
    this.timer = setTimeout(() => this.pass(), Math.max(0, atMs - this.clock.nowMs()));
  }

  private pass(): void {
    this.timerAt = Infinity;
    this.announcedAt = Infinity;
    this.passing = this.tick()
      .then((handled) => (handled >= MAX_FIRES_PER_PASS ? this.clock.nowMs() : this.nextPassAt()))
      .catch((e) => {
        this.log.warn(`pass failed: ${(e as Error).message}`);
        return this.clock.nowMs() + this.config.tasks.schedulerPollSeconds * 1000;
      })
      .then((at) => {
        this.passing = undefined;
        if (!this.stopped) this.arm(Math.min(at, this.announcedAt, this.clock.nowMs() + this.config.tasks.schedulerPollSeconds * 1000));
      });
  }

  /** When the next pass is needed: the earliest fire of a task not backed off, or the end of a back-off. */
  private async nextPassAt(): Promise<number> {
    const now = this.clock.nowMs();
    const earliest = (await this.tasks.earliestFire([...this.backoff.keys()]))?.getTime() ?? Infinity;
    // Still due after a pass that found nothing more to claim: another process holds it right now.
    const due = earliest <= now ? now + HELD_RETRY_MS : earliest;
    return Math.min(due, ...this.backoff.values());
  }

  /** Handles every task due now; returns how many were handled. */
  async tick(): Promise<number> {
    const props = this.props.getAll();
    props.catch(() => undefined); // awaited (and its failure reported) only if a task is due
    const pass: Pass = { props, prepare: this.runs.preparer(), handled: 0 };
    const lanes = await Promise.allSettled(Array.from({ length: PARALLEL_BATCHES }, () => this.claimAndFire(pass)));
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    return pass.handled;
  }

  /** One lane of a pass: claims and fires batches until none is due. */
  private async claimAndFire(pass: Pass): Promise<void> {
    const queued: Promise<void>[] = [];
    // After a failed batch the rest of the lane goes one task at a time, to find the task that fails and back off from it.
    let batch = BATCH;
    while (pass.handled < MAX_FIRES_PER_PASS && !this.stopped) {
      let claimed: string[] = [];
      let runIds: string[] = [];
      const nowMs = this.clock.nowMs();
      for (const [id, until] of this.backoff) if (until <= nowMs) this.backoff.delete(id);
      try {
        const n = await this.tasks.transaction(async (m) => {
          const due = await this.tasks.claimDue(this.clock.now(), Math.min(batch, MAX_FIRES_PER_PASS - pass.handled), m, [...this.backoff.keys()]);
          claimed = due.map((t) => t.id);
          if (!due.length) return 0;
          runIds = await this.fireAll(due, await pass.props, pass.prepare, m);
          return due.length;
        });
        if (!n) break;
        pass.handled += n;
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
      // Queued while the next batch is claimed: the queue round trip does not delay the next fires.
      const ids = runIds;
      queued.push(this.queue.enqueueMany(ids).catch((e) => this.log.warn(`${ids.length} run(s) not queued yet (housekeeping will): ${(e as Error).message}`)));
    }
    await Promise.all(queued);
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
        ...runOptionsOf(task.parameters),
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

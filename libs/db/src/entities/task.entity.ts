import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { NotificationStatus, NotificationTargets } from './notification.types';

export type TaskType = 'ExecuteNotebook';
/** active: fires on schedule; inactive: paused (by its owner, or by a reassignment); completed: no fires left; disabled: too many failed runs. */
export type TaskState = 'active' | 'inactive' | 'completed' | 'disabled';
export type TaskRunTrigger = 'task' | 'manual';
export type TaskRunStatus = 'scheduled' | 'executing' | 'succeeded' | 'skipped' | 'failed' | 'submitfailed';

/** The schedule exactly as given (cron fields, optional second and timeZone). */
export interface TaskCron {
  second?: string;
  minute: string;
  hour: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  timeZone?: string;
}

export interface TaskParameters {
  updatePortalItem: boolean;
  saveInjectedParameters: boolean;
  /** As the client gave it: a JSON string or an object. */
  notebookParameters?: unknown;
  executionTimeoutInMinutes?: number;
  /** A runtime's id or name (our addition, as executeNotebook's `runtime`); else the notebook's own. */
  runtime?: string;
  /** Ours: retry a run the engine or node lost after its notebook started (it may have had side effects). */
  retryOnInfrastructureFailure?: boolean;
}

/** A scheduled notebook task. `nextFireAt` is the scheduler's source of truth: whoever advances it owns that fire. */
@Entity('tasks')
@Index(['active', 'nextFireAt'])
export class TaskEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ name: 'owner_id', type: 'char', length: 32 })
  ownerId: string;

  @Column({ name: 'item_id', type: 'char', length: 32 })
  itemId: string;

  @Column({ type: 'varchar', length: 64 })
  type: TaskType;

  @Column({ type: 'varchar', length: 256 })
  title: string;

  @Column({ type: 'jsonb' })
  cron: TaskCron;

  @Column({ type: 'jsonb' })
  parameters: TaskParameters;

  @Column({ name: 'start_date', type: 'timestamptz', nullable: true })
  startDate: Date | null;

  @Column({ name: 'end_date', type: 'timestamptz', nullable: true })
  endDate: Date | null;

  @Column({ name: 'max_occurrences', type: 'integer', nullable: true })
  maxOccurrences: number | null;

  /** Runs started so far (fires skipped or missed do not count). */
  @Column({ type: 'integer', default: 0 })
  occurrences: number;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ name: 'task_state', type: 'varchar', length: 16 })
  taskState: TaskState;

  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures: number;

  /** A failed run is retried up to this many times (0–10); only the last attempt of a fire counts as the fire's outcome. */
  @Column({ name: 'max_retries', type: 'integer', default: 0 })
  maxRetries: number;

  /** The pause before the first retry; doubled for each further one, up to TASK_RETRY_MAX_DELAY_SECONDS. */
  @Column({ name: 'retry_delay_seconds', type: 'integer', default: 60 })
  retryDelaySeconds: number;

  /** Who is told of outcomes (null: the site's defaults). */
  @Column({ type: 'jsonb', nullable: true })
  notifications: NotificationTargets | null;

  @Column({ name: 'last_notification', type: 'jsonb', nullable: true })
  lastNotification: NotificationStatus | null;

  @Column({ name: 'next_fire_at', type: 'timestamptz', nullable: true })
  nextFireAt: Date | null;

  @Column({ name: 'last_start', type: 'timestamptz', nullable: true })
  lastStart: Date | null;

  @Column({ type: 'timestamptz' })
  created: Date;

  @Column({ type: 'timestamptz' })
  updated: Date;
}

/** One fire of a task: a run it started, or a record that it skipped. Unique per (task, scheduled time). */
@Entity('task_runs')
export class TaskRunEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ name: 'task_id', type: 'char', length: 32 })
  taskId: string;

  @Column({ name: 'scheduled_for', type: 'timestamptz' })
  scheduledFor: Date;

  @Column({ type: 'varchar', length: 16 })
  status: TaskRunStatus;

  /** The run (job) it started, if any. */
  @Column({ name: 'run_id', type: 'char', length: 32, nullable: true })
  runId: string | null;

  @Column({ type: 'text', default: '' })
  result: string;

  // Optional on insert: a scheduled fire is trigger `task`, attempt 1, retrying nothing (the column defaults).
  /** `task`: the schedule fired it (or retried such a fire); `manual`: run now. */
  @Column({ type: 'varchar', length: 16, default: 'task' })
  trigger?: TaskRunTrigger;

  /** 1 for a fire, n + 1 for the retry of attempt n. */
  @Column({ type: 'integer', default: 1 })
  attempt?: number;

  /** The task run this one retries. */
  @Column({ name: 'retry_of', type: 'char', length: 32, nullable: true })
  retryOf?: string | null;

  /** When its outcome was handed to the notifier (an outbox: null while a finished task run waits to be notified). */
  @Column({ name: 'notified_at', type: 'timestamptz', nullable: true })
  notifiedAt?: Date | null;

  @Column({ type: 'timestamptz' })
  created: Date;

  @Column({ type: 'timestamptz' })
  modified: Date;
}

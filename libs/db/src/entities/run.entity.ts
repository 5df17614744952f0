import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { NotificationTargets } from './notification.types';

/** `manual`: a task fired by hand ("run now"). */
export type RunTrigger = 'executeNotebook' | 'task' | 'webhook' | 'manual';
export type RunStatus = 'SUBMITTED' | 'PROCESSING' | 'COMPLETED' | 'FAILED';

/** What the runner reported about a failed cell. */
export interface RunError {
  ename: string;
  evalue: string;
  traceback: string[];
  cellIndex: number | null;
}

/**
 * One automated execution of a notebook, whatever triggered it. All run state lives here;
 * queue jobs carry only the id.
 */
@Entity('runs')
@Index(['status'])
@Index(['ownerId', 'submittedAt'])
export class RunEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  trigger: RunTrigger;

  @Column({ name: 'item_id', type: 'char', length: 32 })
  itemId: string;

  /** The user the run acts for (the caller, the task owner or the webhook's notebook owner). */
  @Column({ name: 'owner_id', type: 'char', length: 32 })
  ownerId: string;

  @Column({ type: 'varchar', length: 128 })
  username: string;

  @Column({ type: 'varchar', length: 64 })
  runtime: string;

  @Column({ type: 'jsonb', nullable: true })
  parameters: Record<string, unknown> | null;

  @Column({ name: 'webhook_payload', type: 'jsonb', nullable: true })
  webhookPayload: unknown;

  /** Whose token the run receives (webhook runs), minted when the run starts so no secret is stored. */
  @Column({ name: 'token_user_id', type: 'char', length: 32, nullable: true })
  tokenUserId: string | null;

  @Column({ name: 'token_minutes', type: 'integer', nullable: true })
  tokenMinutes: number | null;

  @Column({ name: 'update_portal_item', type: 'boolean', default: true })
  updatePortalItem: boolean;

  @Column({ name: 'save_injected_parameters', type: 'boolean', default: false })
  saveInjectedParameters: boolean;

  @Column({ name: 'timeout_minutes', type: 'double precision' })
  timeoutMinutes: number;

  /** Retry after an infrastructure failure even once the notebook started (it may have had side effects). */
  @Column({ name: 'retry_on_infrastructure_failure', type: 'boolean', default: false })
  retryOnInfrastructureFailure: boolean;

  /** The client's idempotency key: a second executeNotebook with it answers this run. Unique per owner. */
  @Column({ name: 'request_key', type: 'varchar', length: 200, nullable: true })
  requestKey: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: RunStatus;

  @Column({ type: 'boolean', default: false })
  cancelled: boolean;

  @Column({ name: 'node_name', type: 'varchar', length: 63, nullable: true })
  nodeName: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  messages: string[];

  @Column({ type: 'jsonb', nullable: true })
  error: RunError | null;

  /** Timings and other facts the runner reported. */
  @Column({ type: 'jsonb', nullable: true })
  result: Record<string, unknown> | null;

  @Column({ name: 'has_artifacts', type: 'boolean', default: false })
  hasArtifacts: boolean;

  @Column({ name: 'task_id', type: 'char', length: 32, nullable: true })
  taskId: string | null;

  @Column({ name: 'webhook_id', type: 'char', length: 32, nullable: true })
  webhookId: string | null;

  /** executeNotebook runs (ours): who is told of the outcome (tasks keep theirs on the task). Optional on insert. */
  @Column({ type: 'jsonb', nullable: true })
  notifications?: NotificationTargets | null;

  /** When the outcome was handed to the notifier (the outbox of runs with `notifications`). */
  @Column({ name: 'notified_at', type: 'timestamptz', nullable: true })
  notifiedAt?: Date | null;

  @Column({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}

/** The executed notebook and its HTML snapshot, in Postgres so that any node can serve them. */
@Entity('run_artifacts')
export class RunArtifactEntity {
  @PrimaryColumn({ name: 'run_id', type: 'char', length: 32 })
  runId: string;

  @Column({ type: 'text' })
  notebook: string;

  @Column({ name: 'snapshot_html', type: 'text' })
  snapshotHtml: string;
}

/** A file the notebook wrote under its working folder, kept with its run (removed with it, by cascade). */
@Entity('run_files')
export class RunFileEntity {
  @PrimaryColumn({ name: 'run_id', type: 'char', length: 32 })
  runId: string;

  /** Path relative to the working folder, `/`-separated. */
  @PrimaryColumn({ type: 'varchar', length: 1024 })
  name: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  size: number;

  @Column({ type: 'bytea' })
  content: Buffer;
}

/** Site-wide properties that change at run time (maxExecuteNotebookContainersPerNode, …). */
@Entity('system_properties')
export class SystemPropertyEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  key: string;

  @Column({ type: 'jsonb' })
  value: unknown;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  modified: Date;
}

/** A worker node's last heartbeat: what the machines API reports. */
@Entity('worker_nodes')
export class WorkerNodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 63 })
  name: string;

  @Column({ type: 'integer' })
  cap: number;

  @Column({ type: 'integer' })
  running: number;

  @Column({ name: 'docker_ok', type: 'boolean' })
  dockerOk: boolean;

  @Column({ name: 'warm_containers', type: 'integer', default: 0 })
  warmContainers: number;

  /** The images the node has: reference (tag or id) → Docker image id. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  images: Record<string, string>;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'last_heartbeat', type: 'timestamptz' })
  lastHeartbeat: Date;
}

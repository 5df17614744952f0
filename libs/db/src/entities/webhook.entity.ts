import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** `deactivationPolicy` and, for notebook webhooks, `properties.federatedServer`, as the product's `config` names them. */
export interface WebhookConfig {
  deactivationPolicy: { numberOfFailures: number; daysInPast: number };
  /** Ours: pauses in seconds between attempts, or "exponential"; replaces the site's attempts and pause. */
  retrySchedule?: number[] | 'exponential';
  properties?: {
    federatedServer?: { itemId: string; tokenTypeToSend: 'owner' | 'user'; tokenExpirationTimeMinutes: number };
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** An organization webhook: a payload URL, or (notebook webhooks) a notebook to run, and the trigger URIs it listens to. */
@Entity('webhooks')
export class WebhookEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ type: 'varchar', length: 256 })
  name: string;

  /** Null for notebook webhooks. */
  @Column({ name: 'payload_url', type: 'text', nullable: true })
  payloadUrl: string | null;

  /** Kept as given: signatures need the key itself. Never logged, masked when read back. */
  @Column({ type: 'text', default: '' })
  secret: string;

  /** The secret `rotateSecret` replaced: it keeps signing beside the new one until `previousSecretExpires`. */
  @Column({ name: 'previous_secret', type: 'text', nullable: true })
  previousSecret: string | null;

  @Column({ name: 'previous_secret_expires', type: 'timestamptz', nullable: true })
  previousSecretExpires: Date | null;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  /** Why the server deactivated it (the deactivation policy), null otherwise. */
  @Column({ name: 'deactivated_reason', type: 'text', nullable: true })
  deactivatedReason: string | null;

  @Column({ type: 'jsonb' })
  events: string[];

  @Column({ type: 'jsonb' })
  config: WebhookConfig;

  @Column({ name: 'owner_id', type: 'char', length: 32 })
  ownerId: string;

  @Column({ name: 'modified_id', type: 'char', length: 32 })
  modifiedId: string;

  @Column({ type: 'timestamptz' })
  created: Date;

  @Column({ type: 'timestamptz' })
  modified: Date;
}

export type DeliveryStatus = 'pending' | 'submitted' | 'succeeded' | 'failed';

/**
 * One event sent (or to be sent) to one webhook: the notification log. Unique per (webhook, event), so a retry
 * or a second fan-out of the same event never makes a second record; its id is the `webhook-id` receivers see.
 */
@Entity('webhook_deliveries')
@Unique('webhook_deliveries_webhook_event', ['webhookId', 'eventId'])
@Index(['webhookId', 'createdAt'])
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  /** Null for a URL notification of a task outcome, which goes to `targetUrl` and belongs to no webhook. */
  @Column({ name: 'webhook_id', type: 'char', length: 32, nullable: true })
  webhookId: string | null;

  @Column({ name: 'target_url', type: 'text', nullable: true })
  targetUrl?: string | null;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ type: 'varchar', length: 16 })
  status: DeliveryStatus;

  /** The JSON body sent (built once, so every attempt sends the same bytes). */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts: number;

  /** How many times an administrator asked for it again; part of the queue job id. */
  @Column({ type: 'integer', default: 0 })
  redeliveries: number;

  @Column({ name: 'is_invoked', type: 'boolean', default: false })
  isInvoked: boolean;

  @Column({ name: 'invoked_at', type: 'timestamptz', nullable: true })
  invokedAt: Date | null;

  @Column({ name: 'http_status', type: 'integer', nullable: true })
  httpStatus: number | null;

  @Column({ name: 'response_text', type: 'text', nullable: true })
  responseText: string | null;

  /** The pauses (seconds) after each failed attempt, fixed when the delivery is made; null on rows older than schedules. */
  @Column({ name: 'retry_delays', type: 'jsonb', nullable: true })
  retryDelays: number[] | null;

  /** When the next attempt is due (null while none is scheduled): the housekeeping pass wakes late or lost ones. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  /** Notebook webhooks: the run this delivery starts (its id is chosen up front so a retry cannot start two). */
  @Column({ name: 'run_id', type: 'char', length: 32, nullable: true })
  runId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}

/** One delivery (or notebook run) that failed for good; counted against the webhook's deactivation policy. */
@Entity('webhook_failures')
@Index(['webhookId', 'occurredAt'])
export class WebhookFailureEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'webhook_id', type: 'char', length: 32 })
  webhookId: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;
}

/** Marks a domain event as fanned out, so the sweep finds the ones a crash left behind. */
@Entity('webhook_event_marks')
export class WebhookEventMarkEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'dispatched_at', type: 'timestamptz' })
  dispatchedAt: Date;
}

/** The site's delivery settings (one row). */
@Entity('webhook_settings')
export class WebhookSettingsEntity {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ name: 'notification_attempts', type: 'integer' })
  notificationAttempts: number;

  @Column({ name: 'notification_timeout_seconds', type: 'integer' })
  notificationTimeOutInSeconds: number;

  @Column({ name: 'notification_elapsed_seconds', type: 'integer' })
  notificationElapsedTimeInSeconds: number;
}

/** An inbound receiver: a public URL that runs a notebook when a correctly signed POST arrives. */
@Entity('webhook_receivers')
export class WebhookReceiverEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ type: 'varchar', length: 256 })
  name: string;

  @Column({ name: 'item_id', type: 'char', length: 32 })
  itemId: string;

  @Column({ type: 'text' })
  secret: string;

  /** Lower-cased header names, any of which may carry the signature. */
  @Column({ name: 'signature_headers', type: 'jsonb' })
  signatureHeaders: string[];

  @Column({ type: 'jsonb', nullable: true })
  parameters: Record<string, unknown> | null;

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  @Column({ name: 'owner_id', type: 'char', length: 32 })
  ownerId: string;

  @Column({ type: 'timestamptz' })
  created: Date;

  @Column({ type: 'timestamptz' })
  modified: Date;
}

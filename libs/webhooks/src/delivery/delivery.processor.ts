import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { WebhookDeliveryEntity, WebhookEntity } from '@app/db';
import { Metrics } from '@app/metrics';
import { DeliveryJob, JOBS, QUEUES, RedisConnections } from '@app/queues';
import { AttemptOutcomes } from './attempt-outcomes';
import { DeactivationPolicy } from './deactivation.service';
import { DeliveryQueue } from './delivery-queue';
import { HttpSender } from './http-sender';
import { LaunchRefused, NotebookLauncher } from './notebook-launcher';
import { delayAfter } from './retry-schedule';
import { timeoutMsOf, WebhookSettings } from '../settings.service';
import { plainSecretAllowed, signatureHeaders } from './signing';
import { IndexSnapshot, WebhookIndex } from '../fanout/webhook-index';
import { WebhooksRepository } from '../webhooks.repository';

/**
 * The consumer of the delivery queue (worker process), and the sender of the first attempts of this worker's
 * fan-outs (counted in their rows already). Each job is one attempt. The attempt is counted on the
 * row **before** anything is sent (so a crash mid-send shows it; a job that runs again after a crash is a new,
 * counted attempt carrying the same `webhook-id`: delivery is at least once). A failed attempt that is not the
 * last schedules the next as a delayed job, after the pause the row's plan gives. A delivery of no webhook (a URL
 * notification, libs/notifications) takes the same path: attempts, target policy and log, signed with
 * NOTIFICATION_SECRET, never a deactivation.
 */
@Injectable()
export class DeliveryProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WebhookDelivery');
  private worker?: Worker<DeliveryJob>;
  /** Bounds the attempts in flight in this process, first attempts of fan-outs included. */
  private readonly slots: Slots;
  /** First attempts started here, awaited on shutdown. */
  private readonly firstAttempts = new Set<Promise<void>>();

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly index: WebhookIndex,
    private readonly sender: HttpSender,
    private readonly launcher: NotebookLauncher,
    private readonly policy: DeactivationPolicy,
    private readonly queue: DeliveryQueue,
    private readonly outcomes: AttemptOutcomes,
    private readonly redis: RedisConnections,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.slots = new Slots(config.webhooks.deliveryConcurrency);
  }

  /**
   * Sends the first attempts of a fan-out made in this process, each already counted in its row (`attempts` 1),
   * within the same bounds as queued attempts; not awaited, so the fan-out goes on meanwhile. A failure leaves
   * the delivery pending: the housekeeping pass queues it again.
   */
  sendFirstAttempts(rows: Array<{ d: WebhookDeliveryEntity; w: WebhookEntity }>, snapshot: IndexSnapshot): void {
    for (const { d, w } of rows) {
      const p: Promise<void> = this.slots
        .run(() => this.attempt(d, w, snapshot.settings))
        .catch((e) => this.log.warn(`delivery ${d.id}: ${(e as Error).message}`))
        .finally(() => this.firstAttempts.delete(p));
      this.firstAttempts.add(p);
    }
  }

  private async process(job: Job<DeliveryJob>): Promise<void> {
    // A batch job an older version queued (`deliver-batch`) names no delivery: its rows are pending and the
    // housekeeping pass queues them one by one.
    if (job.name !== JOBS.deliver || !job.data.deliveryId) return;
    await this.slots.run(() => this.handle(job.data.deliveryId, job.data.webhookId));
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker<DeliveryJob>(QUEUES.deliveries, (job) => this.process(job), {
      connection: this.redis.make(),
      prefix: this.redis.prefix,
      concurrency: this.config.webhooks.deliveryConcurrency,
    });
    this.worker.on('error', (err) => this.log.warn(`queue error: ${err.message}`));
  }

  /** One attempt: the webhook from the index, then the claim (count + read in one statement), the send, the outcome. */
  async handle(deliveryId: string, webhookId?: string): Promise<void> {
    if (!webhookId) {
      const row = await this.repo.findDelivery(deliveryId);
      if (!row) return;
      if (!row.webhookId) return this.handleNotification(deliveryId, await this.index.snapshot());
      webhookId = row.webhookId;
    }
    const index = await this.index.snapshot();
    const w = webhookId ? index.webhook(webhookId) : null;
    if (!w) return; // the delivery or its webhook was deleted
    const now = this.clock.now();
    if (!w.isActive) {
      await this.repo.updateDelivery(deliveryId, ['pending'], { status: 'failed', responseText: 'Not sent: the webhook is inactive.', finishedAt: now, nextAttemptAt: null });
      return;
    }
    // Count the attempt before making it; another job that got there first wins.
    const d = await this.repo.claimAttempt(deliveryId, now);
    if (!d) return this.closeInterrupted(deliveryId, w);
    return this.attempt(d, w, index.settings);
  }

  /** The counted attempt `d.attempts` of a delivery to webhook `w`: a POST, or a notebook webhook's run. */
  private attempt(d: WebhookDeliveryEntity, w: WebhookEntity, settings: WebhookSettings): Promise<void> {
    if (w.config.properties?.federatedServer) return this.launchNotebook(d, w, settings);
    const overlapping = w.previousSecret && w.previousSecretExpires && w.previousSecretExpires.getTime() > this.clock.nowMs();
    const url = w.payloadUrl ?? '';
    return this.send(d, { url, secret: w.secret, previousSecret: overlapping ? w.previousSecret : null, sendPlainSecret: plainSecretAllowed(this.config.webhooks.sendPlainSecret, url) }, settings, w);
  }

  /** One attempt of a URL notification: no webhook, so no index entry, no plain secret and no deactivation. */
  private async handleNotification(deliveryId: string, index: IndexSnapshot): Promise<void> {
    const d = await this.repo.claimAttempt(deliveryId, this.clock.now());
    if (!d) return this.closeInterrupted(deliveryId);
    return this.send(d, { url: d.targetUrl ?? '', secret: this.config.notifications.secret, previousSecret: null, sendPlainSecret: false }, index.settings);
  }

  /** No attempt left although still pending: the last one was counted, then the worker stopped before its outcome. */
  private async closeInterrupted(deliveryId: string, w?: WebhookEntity): Promise<void> {
    const d = await this.repo.findDelivery(deliveryId);
    if (!d || d.status !== 'pending' || d.attempts < d.maxAttempts) return; // done, or another job has it
    const closed = await this.repo.updateDelivery(
      d.id,
      ['pending'],
      { status: 'failed', finishedAt: this.clock.now(), nextAttemptAt: null, responseText: `Attempt ${d.attempts} was interrupted (the worker stopped mid-send); the receiver may have it.` },
      d.attempts,
    );
    if (closed && w) await this.policy.countFailure(w);
  }

  /** One HTTP attempt to a webhook's payload URL (`w`) or to a notification's target URL (no `w`). */
  private async send(d: WebhookDeliveryEntity, target: SendTarget, settings: WebhookSettings, w?: WebhookEntity): Promise<void> {
    const body = JSON.stringify(d.payload);
    const headers = signatureHeaders({
      secret: target.secret,
      previousSecret: target.previousSecret,
      messageId: d.id,
      // Real time, not the injectable clock: receivers check freshness against their own clocks.
      timestampSec: Math.floor(Date.now() / 1000),
      body,
      sendPlainSecret: target.sendPlainSecret,
    });
    let ok = false;
    let httpStatus: number | null = null;
    let responseText: string;
    const t0 = process.hrtime.bigint();
    try {
      const answer = await this.sender.post(target.url, body, headers, timeoutMsOf(settings));
      httpStatus = answer.status;
      ok = answer.status >= 200 && answer.status < 300;
      responseText = answer.text || `HTTP ${answer.status}`;
    } catch (e) {
      responseText = `Attempt ${d.attempts} failed: ${(e as Error).message}`;
    }
    this.metrics.delivery(ok ? 'succeeded' : d.attempts >= d.maxAttempts ? 'failed' : 'retried', Number(process.hrtime.bigint() - t0) / 1e9);
    await this.outcome(d, w, ok, { httpStatus, responseText }, settings.notificationElapsedTimeInSeconds);
  }

  private async launchNotebook(d: WebhookDeliveryEntity, w: WebhookEntity, settings: WebhookSettings): Promise<void> {
    try {
      await this.launcher.launch(d, w);
    } catch (e) {
      const responseText = `Could not start the notebook: ${(e as Error).message}`;
      const { notificationElapsedTimeInSeconds } = settings;
      // A refusal (the notebook is gone) cannot be fixed by retrying: it is the last attempt.
      if (e instanceof LaunchRefused) d.maxAttempts = d.attempts;
      return this.outcome(d, w, false, { responseText }, notificationElapsedTimeInSeconds);
    }
    await this.repo.updateDelivery(
      d.id,
      ['pending'],
      { status: 'submitted', isInvoked: true, responseText: `Job ${d.runId} submitted.` },
      d.attempts,
    );
  }

  /**
   * Records the attempt's outcome. A success or the last attempt closes the record (a failed one counts once
   * towards the deactivation policy, only now that the whole plan is spent); otherwise the next attempt is queued.
   */
  private async outcome(
    d: WebhookDeliveryEntity,
    w: WebhookEntity | undefined,
    ok: boolean,
    result: { httpStatus?: number | null; responseText: string },
    fallbackPauseSeconds: number,
  ): Promise<void> {
    const now = this.clock.now();
    const last = ok || d.attempts >= d.maxAttempts;
    const outcome = { id: d.id, attempts: d.attempts, httpStatus: result.httpStatus ?? null, responseText: result.responseText, isInvoked: ok };
    if (last) {
      const closed = await this.outcomes.record({ ...outcome, status: ok ? 'succeeded' : 'failed', finishedAt: now, nextAttemptAt: null });
      if (closed && !ok) {
        this.log.warn(`delivery ${d.id} ${w ? `to webhook ${w.id}` : '(a notification)'} failed after ${d.attempts} attempt(s)`);
        if (w) await this.policy.countFailure(w);
      }
      return;
    }
    const pauseMs = delayAfter(d.retryDelays, d.attempts, fallbackPauseSeconds) * 1000;
    const nextAttemptAt = new Date(now.getTime() + pauseMs);
    if (!(await this.outcomes.record({ ...outcome, status: 'pending', finishedAt: null, nextAttemptAt }))) return;
    // Lost here (a crash), the housekeeping pass queues it once it is due.
    await this.queue.enqueue(d, pauseMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await Promise.all([...this.firstAttempts]);
  }
}

/** Where one HTTP attempt goes and how it is signed. */
interface SendTarget {
  url: string;
  secret: string;
  previousSecret: string | null;
  sendPlainSecret: boolean;
}

/** A counting semaphore: at most `size` functions run at once, the others wait in order. */
class Slots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

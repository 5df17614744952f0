import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { WebhookDeliveryEntity, WebhookEntity } from '@app/db';
import { DeliveryJob, QUEUES, RedisConnections } from '@app/queues';
import { DeactivationPolicy } from './deactivation.service';
import { HttpSender } from './http-sender';
import { LaunchRefused, NotebookLauncher } from './notebook-launcher';
import { timeoutMsOf, WebhookSettingsService } from './settings.service';
import { plainSecretAllowed, signatureHeaders } from './signing';
import { WebhooksRepository } from './webhooks.repository';

/** Thrown to make BullMQ retry after the pause; the attempt is already in the log. */
class RetryLater extends Error {}

/**
 * The consumer of the delivery queue (worker process). Each job execution is one attempt: the delivery row
 * says how many were made, so a retry updates the same record and never creates another.
 */
@Injectable()
export class DeliveryProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WebhookDelivery');
  private worker?: Worker<DeliveryJob>;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly settings: WebhookSettingsService,
    private readonly sender: HttpSender,
    private readonly launcher: NotebookLauncher,
    private readonly policy: DeactivationPolicy,
    private readonly redis: RedisConnections,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<DeliveryJob>(QUEUES.deliveries, (job: Job<DeliveryJob>) => this.handle(job.data.deliveryId), {
      connection: this.redis.make(),
      prefix: this.redis.prefix,
      concurrency: this.config.webhooks.deliveryConcurrency,
    });
    this.worker.on('error', (err) => this.log.warn(`queue error: ${err.message}`));
  }

  async handle(deliveryId: string): Promise<void> {
    const d = await this.repo.findDelivery(deliveryId);
    if (!d || d.status !== 'pending') return; // done, redelivered elsewhere, or its webhook was deleted
    const w = await this.repo.findWebhook(d.webhookId);
    if (!w) return;
    if (!w.isActive) {
      await this.repo.updateDelivery(d.id, ['pending'], { status: 'failed', responseText: 'Not sent: the webhook is inactive.', finishedAt: this.clock.now() });
      return;
    }
    if (w.config.properties?.federatedServer) return this.launchNotebook(d, w);
    return this.send(d, w);
  }

  private async send(d: WebhookDeliveryEntity, w: WebhookEntity): Promise<void> {
    const attempt = d.attempts + 1;
    const settings = await this.settings.get();
    const body = JSON.stringify(d.payload);
    const url = w.payloadUrl ?? '';
    const overlapping = w.previousSecret && w.previousSecretExpires && w.previousSecretExpires.getTime() > this.clock.nowMs();
    const headers = signatureHeaders({
      secret: w.secret,
      previousSecret: overlapping ? w.previousSecret : null,
      messageId: d.id,
      // Real time, not the injectable clock: receivers check freshness against their own clocks.
      timestampSec: Math.floor(Date.now() / 1000),
      body,
      sendPlainSecret: plainSecretAllowed(this.config.webhooks.sendPlainSecret, url),
    });
    let ok = false;
    let httpStatus: number | null = null;
    let responseText: string;
    try {
      const answer = await this.sender.post(url, body, headers, timeoutMsOf(settings));
      httpStatus = answer.status;
      ok = answer.status >= 200 && answer.status < 300;
      responseText = answer.text || `HTTP ${answer.status}`;
    } catch (e) {
      responseText = `Attempt ${attempt} failed: ${(e as Error).message}`;
    }
    const now = this.clock.now();
    const last = ok || attempt >= d.maxAttempts;
    const recorded = await this.repo.updateDelivery(
      d.id,
      ['pending'],
      {
        attempts: attempt,
        httpStatus,
        responseText,
        invokedAt: now,
        ...(last ? { status: ok ? 'succeeded' : 'failed', isInvoked: ok, finishedAt: now } : {}),
      },
      d.attempts,
    );
    if (!recorded) return; // another attempt got there first
    if (!last) throw new RetryLater(`delivery ${d.id}: attempt ${attempt} of ${d.maxAttempts} failed (${httpStatus ?? 'no answer'})`);
    if (!ok) {
      this.log.warn(`delivery ${d.id} to webhook ${w.id} failed after ${attempt} attempt(s)`);
      await this.policy.countFailure(w);
    }
  }

  private async launchNotebook(d: WebhookDeliveryEntity, w: WebhookEntity): Promise<void> {
    const attempt = d.attempts + 1;
    const now = this.clock.now();
    try {
      await this.launcher.launch(d, w);
    } catch (e) {
      const last = e instanceof LaunchRefused || attempt >= d.maxAttempts;
      const patch = { attempts: attempt, responseText: `Could not start the notebook: ${(e as Error).message}`, invokedAt: now };
      if (!last) {
        await this.repo.updateDelivery(d.id, ['pending'], patch, d.attempts);
        throw new RetryLater((e as Error).message);
      }
      if (await this.repo.updateDelivery(d.id, ['pending'], { ...patch, status: 'failed', finishedAt: now }, d.attempts)) {
        await this.policy.countFailure(w);
      }
      return;
    }
    await this.repo.updateDelivery(
      d.id,
      ['pending'],
      { attempts: attempt, status: 'submitted', isInvoked: true, invokedAt: now, responseText: `Job ${d.runId} submitted.` },
      d.attempts,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}

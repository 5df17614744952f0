import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { DomainEventEntity, newId, WebhookDeliveryEntity } from '@app/db';
import { EventsService } from '@app/events';
import { DeliveryQueue } from './delivery-queue';
import { buildPayload } from './payload';
import { retryPlan } from './retry-schedule';
import { WebhookSettingsService } from './settings.service';
import { matchesAny } from './trigger-uris';
import { WebhooksRepository } from './webhooks.repository';

/**
 * Turns each recorded domain event into one delivery per matching active webhook, in the process that
 * recorded it (after the commit). A crash between the commit and the fan-out is covered by a mark per
 * fanned-out event: the housekeeping sweep fans out unmarked events again, and the unique
 * (webhook, event) delivery makes that harmless.
 */
@Injectable()
export class FanoutService implements OnModuleInit {
  private readonly log = new Logger('WebhookFanout');

  constructor(
    private readonly events: EventsService,
    private readonly repo: WebhooksRepository,
    private readonly settings: WebhookSettingsService,
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.events.onRecorded(async (e) => {
      await this.fanOut(e);
    });
  }

  /** `late`: the sweep, which must not hand an old event to a webhook created after it. */
  async fanOut(event: DomainEventEntity, opts: { late?: boolean } = {}): Promise<number> {
    const now = this.clock.now();
    const hooks = (await this.repo.activeWebhooks()).filter(
      (w) => matchesAny(w.events, event) && (!opts.late || w.created.getTime() <= event.occurredAt.getTime()),
    );
    if (hooks.length) {
      const settings = await this.settings.get();
      for (const w of hooks) {
        const notebook = !!w.config.properties?.federatedServer;
        const plan = retryPlan(w.config, settings);
        const d = await this.repo.insertDeliveryIfAbsent(
          Object.assign(new WebhookDeliveryEntity(), {
            id: newId(),
            webhookId: w.id,
            eventId: event.id,
            status: 'pending',
            payload: buildPayload(w, event, `${this.config.http.publicUrl}/`, now.getTime()),
            attempts: 0,
            maxAttempts: plan.maxAttempts,
            retryDelays: plan.delays,
            nextAttemptAt: null,
            redeliveries: 0,
            isInvoked: false,
            invokedAt: null,
            httpStatus: null,
            responseText: null,
            runId: notebook ? newId() : null,
            createdAt: now,
            finishedAt: null,
          }),
        );
        if (d.status === 'pending' && d.attempts === 0) await this.queue.enqueue(d);
      }
    }
    await this.repo.markDispatched(event.id, now);
    if (hooks.length) this.log.debug(`event ${event.id} (${event.source}/${event.operation}) -> ${hooks.length} webhook(s)`);
    return hooks.length;
  }
}

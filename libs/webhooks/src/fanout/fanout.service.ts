import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { DomainEventEntity, newId, WebhookDeliveryEntity } from '@app/db';
import { EventsService } from '@app/events';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { pendingDelivery } from '../delivery/pending-delivery';
import { buildPayload } from './payload';
import { retryPlan } from '../delivery/retry-schedule';
import { WebhookIndex } from './webhook-index';
import { WebhooksRepository } from '../webhooks.repository';

export const NOT_SENT_INACTIVE = 'Not sent: the webhook was inactive when the event happened (recover sends it once the webhook is active).';

/**
 * Turns recorded domain events into one delivery per matching webhook, in the process that recorded them (after
 * the commit), a batch of events at a time: matching against the in-memory index, the rows of the whole batch
 * (and its marks) in one statement, their first attempts queued with one `addBulk`. Only webhooks created no
 * later than an event get it. An inactive webhook gets a failed "not sent" record (so recover can send it later).
 * A crash between the commit and the fan-out is covered by a mark per fanned-out event: the housekeeping sweep
 * fans out unmarked events again, and the unique (webhook, event) delivery makes that harmless.
 */
@Injectable()
export class FanoutService implements OnModuleInit {
  private readonly log = new Logger('WebhookFanout');

  constructor(
    private readonly events: EventsService,
    private readonly index: WebhookIndex,
    private readonly repo: WebhooksRepository,
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.events.onRecorded(async (batch) => {
      await this.fanOut(batch);
    });
  }

  /** Answers how many deliveries were made (records of inactive webhooks included). */
  async fanOut(events: DomainEventEntity[]): Promise<number> {
    if (!events.length) return 0;
    const now = this.clock.now();
    const matches = await this.index.matching(events, now.getTime());
    const rows: WebhookDeliveryEntity[] = [];
    if (matches.some((m) => m.length)) {
      const settings = await this.index.settings();
      events.forEach((event, i) => {
        for (const w of matches[i]) {
          rows.push(
            Object.assign(
              pendingDelivery({
                webhookId: w.id,
                eventId: event.id,
                payload: buildPayload(w, event, `${this.config.http.publicUrl}/`, now.getTime()),
                plan: retryPlan(w.config, settings),
                runId: w.config.properties?.federatedServer ? newId() : null,
                now,
              }),
              w.isActive ? {} : { status: 'failed', responseText: NOT_SENT_INACTIVE, finishedAt: now },
            ),
          );
        }
      });
    }
    // Rows that already existed (a second fan-out of an event) are not returned, so not queued twice.
    const inserted = await this.repo.insertDeliveriesMarking(rows, events.map((e) => e.id), now);
    const pending = rows.filter((r) => r.status === 'pending' && inserted.has(r.id));
    // Lost here (a crash), the rows stay pending and the housekeeping pass queues them.
    await this.queue.enqueueFirstAttempts(pending);
    if (rows.length) this.log.debug(`${events.length} event(s) -> ${inserted.size} delivery record(s), ${pending.length} queued`);
    return inserted.size;
  }
}

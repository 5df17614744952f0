import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { DomainEventEntity, newId, WebhookDeliveryEntity, WebhookEntity } from '@app/db';
import { DeliveryProcessor } from '../delivery/delivery.processor';
import { pendingDelivery } from '../delivery/pending-delivery';
import { buildPayload } from './payload';
import { retryPlan } from '../delivery/retry-schedule';
import { WebhookIndex } from './webhook-index';
import { WebhooksRepository } from '../webhooks.repository';

export const NOT_SENT_INACTIVE = 'Not sent: the webhook was inactive when the event happened (recover sends it once the webhook is active).';

/**
 * Turns recorded domain events into one delivery per matching webhook, in a worker (the fan-out queue's jobs,
 * and the housekeeping sweep), a batch of events at a time: matching against the in-memory index, the rows of
 * the whole batch (and its marks) in one statement, then their first attempts sent from this process at once (no
 * second trip through a queue). Only webhooks created no later than an event get it. An inactive webhook gets a
 * failed "not sent" record (so recover can send it later). A crash between the commit and the fan-out is covered
 * by a mark per fanned-out event: the housekeeping sweep fans out unmarked events again, and the unique
 * (webhook, event) delivery makes that harmless.
 */
@Injectable()
export class FanoutService {
  private readonly log = new Logger('WebhookFanout');

  constructor(
    private readonly index: WebhookIndex,
    private readonly repo: WebhooksRepository,
    private readonly delivery: DeliveryProcessor,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Answers how many deliveries were made (records of inactive webhooks included). */
  async fanOut(events: DomainEventEntity[]): Promise<number> {
    if (!events.length) return 0;
    const now = this.clock.now();
    const snapshot = await this.index.snapshot();
    const matches = snapshot.matching(events, now.getTime());
    const rows: Array<{ d: WebhookDeliveryEntity; w: WebhookEntity }> = [];
    events.forEach((event, i) => {
      for (const w of matches[i]) {
        const d = pendingDelivery({
          webhookId: w.id,
          eventId: event.id,
          payload: buildPayload(w, event, `${this.config.http.publicUrl}/`, now.getTime()),
          plan: retryPlan(w.config, snapshot.settings),
          runId: w.config.properties?.federatedServer ? newId() : null,
          now,
        });
        // The first attempt is sent right below, so it is counted in the row itself: a crash before its outcome
        // shows it, as a claim would.
        Object.assign(d, w.isActive ? { attempts: 1, invokedAt: now } : { status: 'failed', responseText: NOT_SENT_INACTIVE, finishedAt: now });
        rows.push({ d, w });
      }
    });
    // Rows that already existed (a second fan-out of an event) are not returned, so not sent twice.
    const inserted = await this.repo.insertDeliveriesMarking(
      rows.map((r) => r.d),
      events.map((e) => e.id),
      now,
    );
    const first = rows.filter((r) => r.d.status === 'pending' && inserted.has(r.d.id));
    for (const r of first) r.d.payload = inserted.get(r.d.id)!;
    // Lost here (a crash), the rows stay pending with their attempt counted, and the housekeeping pass queues them.
    this.delivery.sendFirstAttempts(first, snapshot);
    if (rows.length) this.log.debug(`${events.length} event(s) -> ${inserted.size} delivery record(s), ${first.length} being sent`);
    return inserted.size;
  }
}

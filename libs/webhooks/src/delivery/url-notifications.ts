import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '@app/clock';
import type { WebhookDeliveryEntity } from '@app/db';
import { WebhookSettingsService } from '../settings.service';
import { WebhooksRepository } from '../webhooks.repository';
import { DeliveryQueue } from './delivery-queue';
import { pendingDelivery } from './pending-delivery';
import { sitePlan } from './retry-schedule';

/**
 * A JSON POST to a URL that is no webhook (a task's notification URL), through the delivery engine: the same attempts
 * and pauses (the site's webhook settings), target policy, signing (NOTIFICATION_SECRET) and delivery records.
 */
@Injectable()
export class UrlNotifications {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly settings: WebhookSettingsService,
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
  ) {}

  /** Stores and queues the delivery; returns its id (the receiver's `webhook-id`). */
  async post(url: string, payload: Record<string, unknown>): Promise<string> {
    const plan = sitePlan(await this.settings.get());
    const d = pendingDelivery({ webhookId: null, targetUrl: url, eventId: randomUUID(), payload, plan, now: this.clock.now() });
    await this.repo.insertDelivery(d);
    // Lost here (a crash), the row stays pending and the housekeeping pass queues it.
    await this.queue.enqueue(d);
    return d.id;
  }

  async status(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.repo.findDelivery(id);
  }
}

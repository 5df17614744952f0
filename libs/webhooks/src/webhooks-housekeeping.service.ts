import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { housekeepingPass, RedisConnections } from '@app/queues';
import { DeliveryQueue } from './delivery/delivery-queue';
import { FanoutService } from './fanout/fanout.service';
import { WebhookRunListener } from './delivery/run-listener';
import { WebhooksRepository } from './webhooks.repository';

const DAY = 86_400_000;
/** Events younger than this are left to the live fan-out of the process that recorded them. */
const SWEEP_GRACE_MS = 30_000;
/** How far back the sweep looks for events no fan-out marked. */
const SWEEP_WINDOW_MS = DAY;
/** Marks are kept well past the sweep window, so a swept event is never fanned out twice. */
const MARK_RETENTION_MS = 30 * DAY;
/** The longest `daysInPast` a policy may name, plus a day. */
const FAILURE_RETENTION_MS = 366 * DAY;

/**
 * Site-wide webhook chores, one node at a time: retention of the notification log (successful records
 * after WEBHOOK_SUCCESS_RETENTION_DAYS, failed ones after WEBHOOK_FAILURE_RETENTION_DAYS), the sweep of
 * events a crash left un-fanned-out, deliveries whose queue job was lost, and notebook deliveries whose
 * run ended unheard.
 */
@Injectable()
export class WebhooksHousekeeping {
  private readonly log = new Logger('WebhooksHousekeeping');

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly fanout: FanoutService,
    private readonly queue: DeliveryQueue,
    private readonly runListener: WebhookRunListener,
    private readonly redis: RedisConnections,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Interval('webhooks-housekeeping', 30_000)
  async tick(): Promise<void> {
    await housekeepingPass(this.redis, 'webhooks-housekeeping', 120_000, this.log, () => this.pass());
  }

  async pass(): Promise<{ purgedSucceeded: number; purgedFailed: number; swept: number; requeued: number }> {
    const now = this.clock.nowMs();
    const purgedSucceeded = await this.repo.purgeDeliveries('succeeded', new Date(now - this.config.webhooks.successRetentionDays * DAY));
    const purgedFailed = await this.repo.purgeDeliveries('failed', new Date(now - this.config.webhooks.failureRetentionDays * DAY));
    await this.repo.purgeFailures(new Date(now - FAILURE_RETENTION_MS));
    await this.repo.purgeMarks(new Date(now - MARK_RETENTION_MS));

    const missed = await this.repo.unmarkedEvents(new Date(now - SWEEP_WINDOW_MS), new Date(now - SWEEP_GRACE_MS));
    for (let i = 0; i < missed.length; i += 200) await this.fanout.fanOut(missed.slice(i, i + 200));

    // Attempts due for a minute: a lost job is queued again, a delayed one (its clock behind ours) runs now.
    const stuck = await this.repo.pendingDueBefore(new Date(now - 60_000));
    for (const d of stuck) await this.queue.wake(d);
    await this.runListener.reconcile(new Date(now - 3600_000));
    if (purgedSucceeded || purgedFailed || missed.length) {
      this.log.log(`purged ${purgedSucceeded} successful and ${purgedFailed} failed records; swept ${missed.length} event(s)`);
    }
    return { purgedSucceeded, purgedFailed, swept: missed.length, requeued: stuck.length };
  }
}

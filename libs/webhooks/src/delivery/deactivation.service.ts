import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/clock';
import { WebhookEntity } from '@app/db';
import { WebhooksRepository } from '../webhooks.repository';

export const DEFAULT_POLICY = { numberOfFailures: 5, daysInPast: 5 };

/**
 * The deactivation policy: a delivery that failed all its attempts (or a notebook run that failed) counts
 * one failure; `numberOfFailures` of them within `daysInPast` days deactivate the webhook, which then
 * records why (shown as `deactivationReason` when read back).
 */
@Injectable()
export class DeactivationPolicy {
  private readonly log = new Logger('WebhookPolicy');

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly clock: Clock,
  ) {}

  async countFailure(w: WebhookEntity): Promise<void> {
    const now = this.clock.now();
    await this.repo.addFailure(w.id, now);
    const policy = { ...DEFAULT_POLICY, ...w.config.deactivationPolicy };
    const since = new Date(now.getTime() - policy.daysInPast * 86_400_000);
    const failures = await this.repo.countFailuresSince(w.id, since);
    if (failures < policy.numberOfFailures) return;
    const reason =
      `Deactivated at ${now.toISOString()}: ${failures} failed deliveries within ${policy.daysInPast} day(s) ` +
      `(deactivationPolicy.numberOfFailures is ${policy.numberOfFailures}).`;
    if (await this.repo.deactivateByPolicy(w.id, reason)) this.log.warn(`webhook ${w.id} (${w.name}): ${reason}`);
  }
}

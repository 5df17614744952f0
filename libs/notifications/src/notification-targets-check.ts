import { Injectable } from '@nestjs/common';
import type { NotificationTargets } from '@app/db';
import { DomainError } from '@app/rest';
import { TargetPolicy, TargetRefused } from '@app/webhooks';
import { isEmailTarget } from '@app/execution';

/** Checks a task's notification URLs when it is saved, with the webhooks' target policy (delivery checks them again). */
@Injectable()
export class NotificationTargetsCheck {
  constructor(private readonly policy: TargetPolicy) {}

  async check(targets: NotificationTargets): Promise<void> {
    const urls = new Set(Object.values(targets).flat().filter((t): t is string => typeof t === 'string' && !isEmailTarget(t)));
    for (const url of urls) {
      try {
        await this.policy.check(url);
      } catch (e) {
        if (e instanceof TargetRefused) throw DomainError.invalid('INVALID_NOTIFICATIONS', `notifications: ${e.message.replace(/webhooks may not/, 'notifications may not')}`);
        throw e;
      }
    }
  }
}

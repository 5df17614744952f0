import { Module } from '@nestjs/common';
import { WebhooksModule } from '@app/webhooks';
import { Mailer } from './mailer';
import { NotificationTargetsCheck } from './notification-targets-check';
import { NotificationsRepository } from './notifications.repository';
import { Notifier } from './notifier.service';

/** What saving a task needs: the check of its notification targets. */
@Module({
  imports: [WebhooksModule],
  providers: [NotificationTargetsCheck],
  exports: [NotificationTargetsCheck],
})
export class NotificationsModule {}

/** A worker node: the notifier (outbox of task outcomes → SMTP and URL deliveries). */
@Module({
  imports: [WebhooksModule],
  providers: [Mailer, NotificationsRepository, Notifier],
  exports: [Notifier],
})
export class NotificationsWorkerModule {}

import { Module } from '@nestjs/common';
import { ExecutionModule } from '@app/execution';
import { IdentityModule } from '@app/identity';
import { NotebooksModule } from '@app/notebooks';
import { DeactivationPolicy } from './delivery/deactivation.service';
import { DeliveryProcessor } from './delivery/delivery.processor';
import { DeliveryQueue } from './delivery/delivery-queue';
import { AttemptOutcomes } from './delivery/attempt-outcomes';
import { FanoutProcessor } from './fanout/fanout.processor';
import { FanoutQueue } from './fanout/fanout-queue';
import { FanoutService } from './fanout/fanout.service';
import { HttpSender } from './delivery/http-sender';
import { NotebookLauncher } from './delivery/notebook-launcher';
import { ReceiverHooksController, ReceiversAdminController } from './inbound/receivers.controller';
import { ReceiversService } from './inbound/receivers.service';
import { ReplayGuard } from './inbound/replay-guard';
import { WebhookRunListener } from './delivery/run-listener';
import { WebhookSettingsService } from './settings.service';
import { TargetPolicy } from './delivery/target-policy';
import { WebhookIndex } from './fanout/webhook-index';
import { UrlNotifications } from './delivery/url-notifications';
import { WebhooksController } from './webhooks.controller';
import { WebhooksHousekeeping } from './webhooks-housekeeping.service';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

const CORE = [WebhookIndex, WebhooksRepository, WebhookSettingsService, DeliveryQueue, FanoutQueue, TargetPolicy, HttpSender, DeactivationPolicy, UrlNotifications];

/** What every process needs: its own events onto the fan-out queue, attempts onto the delivery queue. */
@Module({
  imports: [IdentityModule, NotebooksModule, ExecutionModule],
  providers: CORE,
  exports: CORE,
})
export class WebhooksModule {}

/** The api: organization webhooks, inbound receivers (admin API and public URLs), event ingestion. */
@Module({
  imports: [WebhooksModule, IdentityModule, NotebooksModule, ExecutionModule],
  controllers: [WebhooksController, ReceiversAdminController, ReceiverHooksController],
  providers: [WebhooksService, ReceiversService, ReplayGuard],
})
export class WebhooksHttpModule {}

/** A worker node: fan-out, deliveries, notebook webhook runs and their outcome, housekeeping. */
@Module({
  imports: [WebhooksModule, IdentityModule, NotebooksModule, ExecutionModule],
  providers: [FanoutService, FanoutProcessor, AttemptOutcomes, DeliveryProcessor, NotebookLauncher, WebhookRunListener, WebhooksHousekeeping],
  exports: [WebhooksHousekeeping, DeliveryProcessor, FanoutService],
})
export class WebhooksWorkerModule {}

import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CurrentUser, Principal, requireOrgAdmin } from '@app/identity';
import { Params, Returns, SuccessJson } from '@app/rest';
import { CreateWebhookDto, IngestDto, ListDto, RecoverDto, RotateSecretDto, StatusDto, UpdateSettingsDto, UpdateWebhookDto } from './dto/webhooks.dto';
import { TRIGGER_CATALOGUE } from './fanout/trigger-catalogue';
import { inactiveTriggers } from './fanout/trigger-uris';
import { WebhooksService } from './webhooks.service';
import { EventsIngestedJson, NotificationStatusJson, RedeliveredJson, WebhookActivatedJson, WebhookJson, WebhookListJson, WebhookRecoveredJson, WebhookChangedJson, WebhookSavedJson, WebhookSettingsJson, WebhookSettingsUpdatedJson, TriggerCatalogueJson } from './dto/webhook-responses.dto';

/**
 * Organization webhooks, administrators only. Fixed paths (settings, createWebhook, events/ingest, triggerEvents) are
 * declared before `:id` so they are not taken for webhook ids.
 */
@Controller('sharing/rest/portals/:orgId/webhooks')
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private admin(p: Principal, orgId: string): void {
    requireOrgAdmin(p, orgId, this.config.org.id);
  }

  @Returns(WebhookListJson)
  @Get()
  list(@CurrentUser() p: Principal, @Param('orgId') org: string, @Params(ListDto) q: z.infer<typeof ListDto>) {
    this.admin(p, org);
    return this.webhooks.list(q.start, q.num);
  }

  @Returns(WebhookSavedJson)
  @Post('createWebhook')
  @HttpCode(200)
  async create(@CurrentUser() p: Principal, @Param('orgId') org: string, @Params(CreateWebhookDto) dto: z.infer<typeof CreateWebhookDto>) {
    this.admin(p, org);
    const w = await this.webhooks.create(p, dto);
    return { success: true, webhook: this.webhooks.view(w, !!dto.generateSecret), inactiveEvents: inactiveTriggers(w.events) };
  }

  /** Ours: the trigger events a webhook may subscribe to, in words and grouped, with those no operation here raises. */
  @Returns(TriggerCatalogueJson)
  @Get('triggerEvents')
  triggerEvents(@CurrentUser() p: Principal, @Param('orgId') org: string) {
    this.admin(p, org);
    return { triggerGroups: TRIGGER_CATALOGUE };
  }

  @Returns(WebhookSettingsJson)
  @Get('settings')
  settings(@CurrentUser() p: Principal, @Param('orgId') org: string) {
    this.admin(p, org);
    return this.webhooks.getSettings();
  }

  @Returns(WebhookSettingsUpdatedJson)
  @Post('settings/update')
  @HttpCode(200)
  async updateSettings(@CurrentUser() p: Principal, @Param('orgId') org: string, @Params(UpdateSettingsDto) dto: z.infer<typeof UpdateSettingsDto>) {
    this.admin(p, org);
    return { success: true, ...(await this.webhooks.updateSettings(dto)) };
  }

  /** Events that happened elsewhere (another portal, a script), in the seeds' event shape. */
  @Returns(EventsIngestedJson)
  @Post('events/ingest')
  @HttpCode(200)
  async ingest(@CurrentUser() p: Principal, @Param('orgId') org: string, @Params(IngestDto) dto: z.infer<typeof IngestDto>) {
    this.admin(p, org);
    return { success: true, eventIds: await this.webhooks.ingest(dto) };
  }

  @Returns(WebhookJson)
  @Get(':id')
  async get(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string) {
    this.admin(p, org);
    return this.webhooks.view(await this.webhooks.get(id));
  }

  @Returns(WebhookSavedJson)
  @Post(':id/update')
  @HttpCode(200)
  async update(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string, @Params(UpdateWebhookDto) dto: z.infer<typeof UpdateWebhookDto>) {
    this.admin(p, org);
    const w = await this.webhooks.update(p, id, dto);
    return { success: true, webhook: this.webhooks.view(w, !!dto.generateSecret), inactiveEvents: inactiveTriggers(w.events) };
  }

  /** Ours: a new secret (shown once when generated); the old one keeps signing for `overlapSeconds`. */
  @Returns(WebhookChangedJson)
  @Post(':id/rotateSecret')
  @HttpCode(200)
  async rotateSecret(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string, @Params(RotateSecretDto) dto: z.infer<typeof RotateSecretDto>) {
    this.admin(p, org);
    return { success: true, webhook: this.webhooks.view(await this.webhooks.rotateSecret(p, id, dto), dto.secret === undefined) };
  }

  @Returns(SuccessJson)
  @Post(':id/delete')
  @HttpCode(200)
  async delete(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string) {
    this.admin(p, org);
    await this.webhooks.delete(id);
    return { success: true };
  }

  @Returns(WebhookActivatedJson)
  @Post(':id/activate')
  @HttpCode(200)
  async activate(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string) {
    this.admin(p, org);
    const webhook = this.webhooks.view(await this.webhooks.setActive(p, id, true));
    // Offers what can be sent again: `POST …/{id}/recover` with `since`.
    return { success: true, webhook, ...(await this.webhooks.failedSummary(id)) };
  }

  /** Ours (as Svix's): sends every failed record since `since` (epoch ms) again, as the same messages. */
  @Returns(WebhookRecoveredJson)
  @Post(':id/recover')
  @HttpCode(200)
  recover(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string, @Params(RecoverDto) dto: z.infer<typeof RecoverDto>) {
    this.admin(p, org);
    return this.webhooks.recover(id, dto.since);
  }

  @Returns(WebhookChangedJson)
  @Post(':id/deactivate')
  @HttpCode(200)
  async deactivate(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string) {
    this.admin(p, org);
    return { success: true, webhook: this.webhooks.view(await this.webhooks.setActive(p, id, false)) };
  }

  @Returns(NotificationStatusJson)
  @Get(':id/notificationStatus')
  status(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string, @Params(StatusDto) q: z.infer<typeof StatusDto>) {
    this.admin(p, org);
    return this.webhooks.notificationStatus(id, q.start, q.num);
  }

  @Returns(NotificationStatusJson)
  @Post(':id/notificationStatus')
  @HttpCode(200)
  statusPost(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string, @Params(StatusDto) q: z.infer<typeof StatusDto>) {
    return this.status(p, org, id, q);
  }

  /** Ours: sends a failed notification record again, as the same message. */
  @Returns(RedeliveredJson)
  @Post(':id/notificationStatus/:recordId/redeliver')
  @HttpCode(200)
  redeliver(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string, @Param('recordId') recordId: string) {
    this.admin(p, org);
    return this.webhooks.redeliver(id, recordId);
  }
}

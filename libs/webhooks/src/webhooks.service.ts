import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { DomainEventEntity, newId, WebhookConfig, WebhookDeliveryEntity, WebhookEntity } from '@app/db';
import { EventsService } from '@app/events';
import { Principal } from '@app/identity';
import { ItemsService, NOTEBOOK_TYPE } from '@app/notebooks';
import { DomainError, page } from '@app/rest';
import { DEFAULT_POLICY } from './delivery/deactivation.service';
import { DeliveryQueue } from './delivery/delivery-queue';
import { CreateWebhookDto, IngestDto, RotateSecretDto, UpdateSettingsDto, UpdateWebhookDto } from './dto/webhooks.dto';
import { HttpSender } from './delivery/http-sender';
import { retryPlan } from './delivery/retry-schedule';
import { timeoutMsOf, WebhookSettings, WebhookSettingsService } from './settings.service';
import { generateSecret } from './delivery/signing';
import { TargetPolicy, TargetRefused } from './delivery/target-policy';
import { unknownTriggers } from './fanout/trigger-uris';
import { WebhookIndex } from './fanout/webhook-index';
import { deliveryView, webhookView } from './webhook.view';
import { WebhooksRepository } from './webhooks.repository';

type CreateInput = z.infer<typeof CreateWebhookDto>;
type UpdateInput = z.infer<typeof UpdateWebhookDto>;

/** The organization webhooks API (administrators only; the controller checks). */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly settings: WebhookSettingsService,
    private readonly policy: TargetPolicy,
    private readonly sender: HttpSender,
    private readonly queue: DeliveryQueue,
    private readonly index: WebhookIndex,
    private readonly items: ItemsService,
    private readonly events: EventsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `showSecret`: the one answer that reveals a secret the server generated. */
  view(w: WebhookEntity, showSecret = false) {
    return webhookView(w, this.config.org.id, this.config.http.publicUrl, showSecret);
  }

  async get(id: string): Promise<WebhookEntity> {
    const w = await this.repo.findWebhook(id);
    if (!w) throw DomainError.notFound('Webhook', id);
    return w;
  }

  async list(start: number, num: number) {
    const all = await this.repo.pageWebhooks(start, num);
    return { ...page(all, start, num), webhooks: all.rows.map((w) => this.view(w)) };
  }

  /** Every check runs before anything is stored: a refused webhook leaves no trace. */
  async create(p: Principal, dto: CreateInput): Promise<WebhookEntity> {
    oneSecretSource(dto);
    const events = this.eventsOf(dto.changes ?? 'manualChanges', dto.events, true)!;
    const config = await this.configOf(p, dto.config);
    const notebook = !!config.properties?.federatedServer;
    let payloadUrl: string | null = null;
    if (!notebook) {
      if (!dto.url) throw DomainError.invalid('URL_REQUIRED', 'url: the payload URL is required (only notebook webhooks, with config.properties.federatedServer.itemId, go without).');
      payloadUrl = await this.checkUrl(dto.url);
    }
    const now = this.clock.now();
    const w = Object.assign(new WebhookEntity(), {
      id: newId(),
      name: dto.name,
      payloadUrl,
      secret: dto.generateSecret ? generateSecret() : (dto.secret ?? ''),
      previousSecret: null,
      previousSecretExpires: null,
      isActive: true,
      deactivatedReason: null,
      events,
      config,
      ownerId: p.id,
      modifiedId: p.id,
      created: now,
      modified: now,
    });
    await this.repo.insertWebhook(w);
    return w;
  }

  async update(p: Principal, id: string, dto: UpdateInput): Promise<WebhookEntity> {
    oneSecretSource(dto);
    const w = await this.get(id);
    if (dto.name !== undefined) w.name = dto.name;
    // A secret set by update replaces the old one at once (as the product does); rotateSecret keeps an overlap.
    if (dto.secret !== undefined || dto.generateSecret) {
      w.secret = dto.generateSecret ? generateSecret() : dto.secret!;
      w.previousSecret = null;
      w.previousSecretExpires = null;
    }
    if (dto.changes !== undefined || dto.events !== undefined) w.events = this.eventsOf(dto.changes ?? 'manualChanges', dto.events, true)!;
    if (dto.config !== undefined) w.config = await this.configOf(p, dto.config, w.config);
    if (w.config.properties?.federatedServer) {
      w.payloadUrl = null;
    } else if (dto.url !== undefined && dto.url !== w.payloadUrl) {
      w.payloadUrl = await this.checkUrl(dto.url);
    } else if (!w.payloadUrl) {
      throw DomainError.invalid('URL_REQUIRED', 'url: a webhook that runs no notebook needs a payload URL.');
    }
    w.modifiedId = p.id;
    w.modified = this.clock.now();
    await this.repo.saveWebhook(w);
    return w;
  }

  /**
   * Replaces the secret; the old one keeps signing too (a second `v1,` signature in `webhook-signature`) for
   * `overlapSeconds` (WEBHOOK_SECRET_OVERLAP_SECONDS by default), so receivers can switch without losing a delivery.
   */
  async rotateSecret(p: Principal, id: string, dto: z.infer<typeof RotateSecretDto>): Promise<WebhookEntity> {
    const w = await this.get(id);
    const now = this.clock.now();
    const overlap = dto.overlapSeconds ?? this.config.webhooks.secretOverlapSeconds;
    const keepOld = !!w.secret && overlap > 0;
    w.previousSecret = keepOld ? w.secret : null;
    w.previousSecretExpires = keepOld ? new Date(now.getTime() + overlap * 1000) : null;
    w.secret = dto.secret ?? generateSecret();
    w.modifiedId = p.id;
    w.modified = now;
    await this.repo.saveWebhook(w);
    return w;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repo.deleteWebhook(id))) throw DomainError.notFound('Webhook', id);
  }

  async setActive(p: Principal, id: string, active: boolean): Promise<WebhookEntity> {
    await this.get(id);
    await this.repo.setActive(id, active, p.id, this.clock.now());
    return this.get(id);
  }

  async notificationStatus(id: string, start: number, num: number) {
    await this.get(id);
    const all = await this.repo.pageDeliveries(id, start, num);
    return { ...page(all, start, num), WebhookStatus: all.rows.map(deliveryView) };
  }

  /** Sends a failed record again as the same message (same `webhook-id`), with fresh attempts. */
  async redeliver(webhookId: string, deliveryId: string) {
    const w = await this.activeWebhook(webhookId, 'redelivering');
    const d = await this.repo.findDelivery(deliveryId);
    if (!d || d.webhookId !== webhookId) throw DomainError.notFound('Notification record', deliveryId);
    if (d.status !== 'failed') throw DomainError.conflict('NOT_FAILED', `Only failed records can be redelivered; this one is ${d.status}.`);
    const settings = await this.settings.get();
    const again = await this.restart(w, d, settings);
    if (!again) throw DomainError.conflict('NOT_FAILED', 'The record changed meanwhile; try again.');
    return { success: true, id: d.id, redeliveries: again.redeliveries };
  }

  /**
   * Ours, as Svix's recover: every failed record of the webhook made at or after `since` (epoch ms) is sent
   * again as the same message, with fresh attempts. Answers how many were.
   */
  async recover(webhookId: string, since: number) {
    const w = await this.activeWebhook(webhookId, 'recovering');
    const settings = await this.settings.get();
    let recovered = 0;
    for (const d of await this.repo.failedDeliveriesSince(webhookId, new Date(since))) {
      if (await this.restart(w, d, settings)) recovered++;
    }
    return { success: true, recovered };
  }

  /** What reactivating a webhook offers: its failed records, to recover (`POST …/{id}/recover`, `since`). */
  async failedSummary(webhookId: string): Promise<{ failedRecords: number; failedSince: number | null }> {
    const { count, oldest } = await this.repo.failedSummary(webhookId);
    return { failedRecords: count, failedSince: oldest?.getTime() ?? null };
  }

  private async activeWebhook(id: string, doing: string): Promise<WebhookEntity> {
    const w = await this.get(id);
    if (!w.isActive) throw DomainError.conflict('WEBHOOK_INACTIVE', `The webhook is inactive; activate it before ${doing}.`);
    return w;
  }

  /** A failed record back to pending with the webhook's current plan, and its first attempt queued. */
  private async restart(w: WebhookEntity, d: WebhookDeliveryEntity, settings: WebhookSettings) {
    const plan = retryPlan(w.config, settings);
    const next = {
      status: 'pending' as const,
      attempts: 0,
      maxAttempts: plan.maxAttempts,
      retryDelays: plan.delays,
      nextAttemptAt: null,
      redeliveries: d.redeliveries + 1,
      isInvoked: false,
      httpStatus: null,
      responseText: null,
      finishedAt: null,
      runId: d.runId ? newId() : null,
    };
    if (!(await this.repo.updateDelivery(d.id, ['failed'], next))) return null;
    await this.queue.enqueue({ id: d.id, webhookId: d.webhookId, ...next });
    return next;
  }

  getSettings(): Promise<WebhookSettings> {
    return this.settings.get();
  }

  async updateSettings(dto: z.infer<typeof UpdateSettingsDto>): Promise<WebhookSettings> {
    const patch = Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined));
    const next = await this.settings.update(patch);
    await this.index.changed();
    return next;
  }

  /**
   * Stores events published from elsewhere (origin `ingested`) and fans them out like our own. An event whose `key` is
   * already stored (a publisher retrying) is not stored or delivered again; its stored id is answered.
   */
  async ingest(dto: z.infer<typeof IngestDto>): Promise<string[]> {
    const ids: string[] = [];
    const stored: DomainEventEntity[] = [];
    for (const e of dto.events) {
      const row = Object.assign(new DomainEventEntity(), {
        id: randomUUID(),
        source: e.source,
        operation: e.operation,
        targetId: e.id,
        username: e.username,
        userId: e.userId,
        occurredAt: e.when ? new Date(e.when) : this.clock.now(),
        properties: e.properties,
        origin: 'ingested' as const,
        ingestKey: e.key ?? null,
      });
      const { id, inserted } = await this.repo.insertEventOnce(row);
      if (inserted) stored.push(row);
      ids.push(id);
    }
    await this.events.notify(stored);
    return ids;
  }

  /** `allChanges` is everything (`/`); `manualChanges` needs `events`, each one a URI of the seeds' tables. */
  private eventsOf(changes: 'allChanges' | 'manualChanges', events: string[] | undefined, required: boolean): string[] | undefined {
    if (changes === 'allChanges') return ['/'];
    if (!events?.length) {
      if (!required) return undefined;
      throw DomainError.invalid('EVENTS_REQUIRED', 'events: required when changes is manualChanges (e.g. events=/items,/groups/<groupID>/update).');
    }
    const unknown = unknownTriggers(events);
    if (unknown.length) {
      throw DomainError.invalid(
        'UNKNOWN_TRIGGER',
        `events: unknown trigger URI${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}. ` +
          'Use a URI of the supported trigger events, e.g. /, /items, /items/add, /items/<itemID>/update, /groups/<groupID>, /users/<username>/signIn, /roles/add.',
        unknown,
      );
    }
    return [...new Set(events.map((e) => (e.trim() === '/' ? '/' : e.trim().replace(/\/+$/, ''))))];
  }

  /** Fills the policy's defaults; a notebook webhook's notebook must exist and belong to the caller. */
  private async configOf(p: Principal, given: z.infer<typeof CreateWebhookDto>['config'], previous?: WebhookConfig): Promise<WebhookConfig> {
    const c = (given ?? {}) as WebhookConfig;
    const config: WebhookConfig = {
      ...c,
      deactivationPolicy: { ...DEFAULT_POLICY, ...(previous?.deactivationPolicy ?? {}), ...(c.deactivationPolicy ?? {}) },
    };
    const fs = config.properties?.federatedServer;
    if (fs) {
      const item = await this.items.findById(fs.itemId);
      if (!item) throw DomainError.invalid('ITEM_NOT_FOUND', `config.properties.federatedServer.itemId: item '${fs.itemId}' does not exist.`);
      if (item.type !== NOTEBOOK_TYPE) throw DomainError.invalid('NOT_A_NOTEBOOK', `config.properties.federatedServer.itemId: item '${fs.itemId}' is a ${item.type}, not a Notebook.`);
      if (item.ownerId !== p.id) throw DomainError.forbidden('You must own the notebook a webhook runs.');
    }
    return config;
  }

  /** The target must be allowed, and something must answer there (any HTTP status); nothing is stored otherwise. */
  private async checkUrl(raw: string): Promise<string> {
    try {
      const url = await this.policy.check(raw);
      const settings = await this.settings.get();
      await this.sender.probe(url.toString(), timeoutMsOf(settings));
      return raw;
    } catch (e) {
      if (e instanceof TargetRefused) throw DomainError.invalid('PAYLOAD_URL_REFUSED', `url: ${e.message}`);
      throw DomainError.invalid('PAYLOAD_URL_UNREACHABLE', `url: the payload URL did not answer: ${(e as Error).message}.`);
    }
  }
}

function oneSecretSource(dto: { secret?: string; generateSecret?: boolean }): void {
  if (dto.generateSecret && dto.secret) throw DomainError.invalid('SECRET_TWICE', 'generateSecret: give either secret or generateSecret=true, not both.');
}

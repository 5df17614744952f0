import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WebhookEntity } from '@app/db';
import { RedisConnections } from '@app/queues';
import { WebhookSettings, WebhookSettingsService } from '../settings.service';
import { matchesTrigger, parseTrigger, Trigger, MatchableEvent } from './trigger-uris';

export interface IndexSnapshot {
  webhook(id: string): WebhookEntity | null;
  /**
   * Webhooks (active or not) any of whose URIs match the event, created no later than it happened here. An
   * ingested event carries its publisher's time, often long past: it happened here when it was stored, which
   * the fan-out right after that is taken for (`nowMs`).
   */
  matching(events: Array<MatchableEvent & { occurredAt: Date; origin: string }>, nowMs: number): WebhookEntity[][];
  settings: WebhookSettings;
}

interface Entry {
  webhook: WebhookEntity;
  triggers: Trigger[];
}

/**
 * Every webhook with its trigger URIs parsed once, and the delivery settings, in memory, for fan-out and delivery.
 * Each change to a webhook or the settings bumps a version counter in Redis (before the change is answered); a
 * reader checks the counter (one round trip per batch of events or per retry) and reloads when it moved, so
 * every process sees a change committed before an event.
 */
@Injectable()
export class WebhookIndex {
  private entries: Entry[] = [];
  private byId = new Map<string, WebhookEntity>();
  private currentSettings!: WebhookSettings;
  private version: string | null = null;
  private loading?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly redis: RedisConnections,
    private readonly settingsService: WebhookSettingsService,
  ) {}

  private get key(): string {
    return `${this.redis.prefix}:webhooks-version`;
  }

  /** Tells every process's index that webhooks changed. */
  async changed(): Promise<void> {
    await this.redis.main.incr(this.key);
  }

  /** The index as of now, read once for a batch of events and their deliveries (one Redis round trip). */
  async snapshot(): Promise<IndexSnapshot> {
    await this.fresh();
    const { byId, entries } = this;
    return {
      webhook: (id) => byId.get(id) ?? null,
      matching: (events, nowMs) =>
        events.map((e) => {
          const at = e.origin === 'ingested' ? nowMs : e.occurredAt.getTime();
          return entries.filter((x) => x.webhook.created.getTime() <= at && x.triggers.some((t) => matchesTrigger(t, e))).map((x) => x.webhook);
        }),
      settings: this.currentSettings,
    };
  }

  private async fresh(): Promise<void> {
    const version = (await this.redis.main.get(this.key)) ?? '0';
    if (version === this.version) return;
    // One reload at a time; it reads the version first, so a change during the reload is caught by the next call.
    this.loading ??= this.load(version).finally(() => (this.loading = undefined));
    await this.loading;
    if (this.version !== version) await this.fresh();
  }

  private async load(version: string): Promise<void> {
    const [rows, settings] = await Promise.all([this.ds.manager.find(WebhookEntity), this.settingsService.get()]);
    this.entries = rows.map((webhook) => ({ webhook, triggers: webhook.events.map(parseTrigger).filter((t): t is Trigger => t !== null) }));
    this.byId = new Map(rows.map((w) => [w.id, w]));
    this.currentSettings = settings;
    this.version = version;
  }
}

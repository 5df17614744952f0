import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, LessThan, MoreThanOrEqual } from 'typeorm';
import {
  DeliveryStatus,
  DomainEventEntity,
  WebhookDeliveryEntity,
  WebhookEntity,
  WebhookEventMarkEntity,
  WebhookFailureEntity,
  WebhookReceiverEntity,
} from '@app/db';
import { WebhookIndex } from './fanout/webhook-index';

/** The result of one attempt, as written to its delivery (status `pending` while attempts remain). */
export interface AttemptOutcome {
  id: string;
  /** The attempt this is the outcome of: the row is updated only while it is still at it. */
  attempts: number;
  status: 'pending' | 'succeeded' | 'failed';
  httpStatus: number | null;
  responseText: string;
  isInvoked: boolean;
  finishedAt: Date | null;
  nextAttemptAt: Date | null;
}

/** The arrays `finishAttempts` passes, in the order of its `unnest`. */
const OUTCOME_COLUMNS = ['id', 'attempts', 'status', 'httpStatus', 'responseText', 'isInvoked', 'finishedAt', 'nextAttemptAt'] as const;

/** Named queries on webhooks, their notification log, failures and receivers. State changes are conditional. */
@Injectable()
export class WebhooksRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly index: WebhookIndex,
  ) {}

  private get m() {
    return this.ds.manager;
  }

  // Webhooks

  /** `null`: a delivery of no webhook (a URL notification). */
  async findWebhook(id: string | null): Promise<WebhookEntity | null> {
    return id ? this.m.findOneBy(WebhookEntity, { id }) : null;
  }

  // Every change to a webhook tells the fan-out index (before the change is answered).

  async insertWebhook(w: WebhookEntity): Promise<void> {
    await this.m.insert(WebhookEntity, w as never); // config is free-form JSON
    await this.index.changed();
  }

  async saveWebhook(w: WebhookEntity): Promise<void> {
    await this.m.save(WebhookEntity, w as never);
    await this.index.changed();
  }

  async deleteWebhook(id: string): Promise<boolean> {
    const deleted = ((await this.m.delete(WebhookEntity, { id })).affected ?? 0) > 0;
    await this.index.changed();
    return deleted;
  }

  async pageWebhooks(start: number, num: number): Promise<{ total: number; rows: WebhookEntity[] }> {
    const [rows, total] = await this.m.findAndCount(WebhookEntity, { order: { created: 'ASC', id: 'ASC' }, skip: start - 1, take: num });
    return { total, rows };
  }

  /** Activates (clearing past failures, so the policy starts afresh) or deactivates by hand. */
  async setActive(id: string, active: boolean, by: string, at: Date): Promise<void> {
    await this.m.update(WebhookEntity, { id }, { isActive: active, deactivatedReason: null, modifiedId: by, modified: at });
    await this.index.changed();
    if (active) await this.m.delete(WebhookFailureEntity, { webhookId: id });
  }

  /** Deactivates under the policy; false if it was already inactive. */
  async deactivateByPolicy(id: string, reason: string): Promise<boolean> {
    const r = await this.m.update(WebhookEntity, { id, isActive: true }, { isActive: false, deactivatedReason: reason });
    await this.index.changed();
    return (r.affected ?? 0) > 0;
  }

  // Failures (for the deactivation policy)

  async addFailure(webhookId: string, at: Date): Promise<void> {
    await this.m.insert(WebhookFailureEntity, { webhookId, occurredAt: at });
  }

  async countFailuresSince(webhookId: string, since: Date): Promise<number> {
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM webhook_failures WHERE webhook_id = $1 AND occurred_at > $2`, [webhookId, since]);
    return n;
  }

  async purgeFailures(before: Date): Promise<number> {
    return (await this.m.delete(WebhookFailureEntity, { occurredAt: LessThan(before) })).affected ?? 0;
  }

  // Deliveries (the notification log)

  /**
   * Inserts the deliveries of a batch of events (skipping any (webhook, event) that already has one), then marks the
   * events as fanned out. Answers the rows inserted, by id, with their payload as stored (jsonb orders keys its own
   * way, and every attempt must send the same bytes). Chunked to stay within Postgres's parameter limit.
   */
  async insertDeliveriesMarking(rows: WebhookDeliveryEntity[], eventIds: string[], at: Date): Promise<Map<string, Record<string, unknown>>> {
    const inserted = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < rows.length; i += 1000) {
      const res = await this.m
        .createQueryBuilder()
        .insert()
        .into(WebhookDeliveryEntity)
        .values(rows.slice(i, i + 1000) as never) // payload is free-form JSON
        .orIgnore()
        .returning(['id', 'payload'])
        .execute();
      for (const r of res.raw as Array<{ id: string; payload: Record<string, unknown> }>) inserted.set(r.id, r.payload);
    }
    if (eventIds.length) {
      await this.m.createQueryBuilder().insert().into(WebhookEventMarkEntity).values(eventIds.map((eventId) => ({ eventId, dispatchedAt: at }))).orIgnore().execute();
    }
    return inserted;
  }

  /** A delivery of no webhook (a URL notification): never a duplicate, so a plain insert. */
  async insertDelivery(d: WebhookDeliveryEntity): Promise<void> {
    await this.m.insert(WebhookDeliveryEntity, d as never);
  }

  findDelivery(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.m.findOneBy(WebhookDeliveryEntity, { id });
  }

  findDeliveryByRun(runId: string): Promise<WebhookDeliveryEntity | null> {
    return this.m.findOneBy(WebhookDeliveryEntity, { runId });
  }

  async pageDeliveries(webhookId: string, start: number, num: number): Promise<{ total: number; rows: WebhookDeliveryEntity[] }> {
    const [rows, total] = await this.m.findAndCount(WebhookDeliveryEntity, {
      where: { webhookId },
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: start - 1,
      take: num,
    });
    return { total, rows };
  }

  /**
   * Counts the next attempt of a pending delivery that has attempts left, and answers the row as it is now; null
   * when it is not pending, or has none left. One statement: the claim and the read.
   */
  async claimAttempt(id: string, at: Date): Promise<WebhookDeliveryEntity | null> {
    const res = await this.m
      .createQueryBuilder()
      .update(WebhookDeliveryEntity)
      .set({ attempts: () => 'attempts + 1', invokedAt: at, nextAttemptAt: null })
      .where(`id = :id AND status = 'pending' AND attempts < max_attempts`, { id })
      .returning('*')
      .execute();
    const raw = (res.raw as Array<Record<string, unknown>>)[0];
    if (!raw) return null;
    const d = new WebhookDeliveryEntity();
    for (const c of this.ds.getMetadata(WebhookDeliveryEntity).columns) (d as unknown as Record<string, unknown>)[c.propertyName] = raw[c.databaseName];
    return d;
  }

  /**
   * Records many attempts' outcomes in one statement, each only if its delivery is still pending at that attempt
   * (as `updateDelivery` does); answers the ids updated.
   */
  async finishAttempts(outcomes: AttemptOutcome[]): Promise<Set<string>> {
    const rows: Array<{ id: string }> = await this.ds.query(
      `WITH v AS (
         SELECT * FROM unnest($1::char(32)[], $2::int[], $3::varchar[], $4::int[], $5::text[], $6::bool[], $7::timestamptz[], $8::timestamptz[])
                    AS v(id, attempts, status, http_status, response_text, is_invoked, finished_at, next_attempt_at)
       ), u AS (
         UPDATE webhook_deliveries d
            SET status = v.status, http_status = v.http_status, response_text = v.response_text, is_invoked = d.is_invoked OR v.is_invoked,
                finished_at = v.finished_at, next_attempt_at = v.next_attempt_at
           FROM v
          WHERE d.id = v.id AND d.status = 'pending' AND d.attempts = v.attempts
         RETURNING d.id
       )
       SELECT id FROM u`,
      OUTCOME_COLUMNS.map((c) => outcomes.map((o) => o[c])),
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Updates a delivery only if it is still in one of `from` (and, when given, at `attempts`): handlers stay idempotent. */
  async updateDelivery(id: string, from: DeliveryStatus[], patch: Partial<WebhookDeliveryEntity>, attempts?: number): Promise<boolean> {
    const qb = this.m
      .createQueryBuilder()
      .update(WebhookDeliveryEntity)
      .set(patch as never)
      .where('id = :id AND status IN (:...from)', { id, from });
    if (attempts !== undefined) qb.andWhere('attempts = :attempts', { attempts });
    return ((await qb.execute()).affected ?? 0) > 0;
  }

  /** Pending deliveries whose next attempt was due before `before` (never attempted: made before it). */
  pendingDueBefore(before: Date, limit = 500): Promise<WebhookDeliveryEntity[]> {
    return this.m
      .createQueryBuilder(WebhookDeliveryEntity, 'd')
      .where(`d.status = 'pending' AND d.created_at < :before AND coalesce(d.next_attempt_at, d.invoked_at, d.created_at) < :before`, { before })
      .take(limit)
      .getMany();
  }

  /** Failed records of a webhook made since `since`, oldest first (what recover sends again). */
  failedDeliveriesSince(webhookId: string, since: Date, limit = 10_000): Promise<WebhookDeliveryEntity[]> {
    return this.m.find(WebhookDeliveryEntity, {
      where: { webhookId, status: 'failed', createdAt: MoreThanOrEqual(since) },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
    });
  }

  /** How many failed records a webhook has, and the oldest one's time. */
  async failedSummary(webhookId: string): Promise<{ count: number; oldest: Date | null }> {
    const [r] = await this.ds.query(`SELECT count(*)::int AS n, min(created_at) AS oldest FROM webhook_deliveries WHERE webhook_id = $1 AND status = 'failed'`, [webhookId]);
    return { count: r.n, oldest: r.oldest ? new Date(r.oldest) : null };
  }

  /** Notebook deliveries still `submitted` although their run has ended (the listener missed it), or is gone. */
  async submittedWithEndedRuns(goneBefore: Date, limit = 500): Promise<Array<{ deliveryId: string; runId: string; runStatus: string | null }>> {
    const rows: Array<{ delivery_id: string; run_id: string; run_status: string | null }> = await this.ds.query(
      `SELECT d.id AS delivery_id, d.run_id, r.status AS run_status
         FROM webhook_deliveries d LEFT JOIN runs r ON r.id = d.run_id
        WHERE d.status = 'submitted'
          AND (r.status IN ('COMPLETED','FAILED') OR (r.id IS NULL AND d.invoked_at < $1))
        LIMIT $2`,
      [goneBefore, limit],
    );
    return rows.map((r) => ({ deliveryId: r.delivery_id, runId: r.run_id, runStatus: r.run_status }));
  }

  async purgeDeliveries(status: DeliveryStatus, finishedBefore: Date): Promise<number> {
    return (await this.m.delete(WebhookDeliveryEntity, { status, finishedAt: LessThan(finishedBefore) })).affected ?? 0;
  }

  // Fan-out bookkeeping

  /** The events of a fan-out job, in the order given (those deleted meanwhile are left out). */
  async eventsByIds(ids: string[]): Promise<DomainEventEntity[]> {
    const byId = new Map((await this.m.findBy(DomainEventEntity, { id: In(ids) })).map((e) => [e.id, e]));
    return ids.map((id) => byId.get(id)).filter((e): e is DomainEventEntity => !!e);
  }

  /** Events in the window that no fan-out has marked (the process that recorded them died first). */
  unmarkedEvents(from: Date, to: Date, limit = 1000): Promise<DomainEventEntity[]> {
    return this.m
      .createQueryBuilder(DomainEventEntity, 'e')
      .leftJoin(WebhookEventMarkEntity, 'm', 'm.event_id = e.id')
      .where('m.event_id IS NULL AND e.occurred_at >= :from AND e.occurred_at < :to', { from, to })
      .orderBy('e.occurredAt', 'ASC')
      .take(limit)
      .getMany();
  }

  async purgeMarks(before: Date): Promise<void> {
    await this.m.delete(WebhookEventMarkEntity, { dispatchedAt: LessThan(before) });
  }

  /** Stores an event; with an ingest key already stored, stores nothing and answers the stored event's id. */
  async insertEventOnce(e: DomainEventEntity): Promise<{ id: string; inserted: boolean }> {
    // properties is free-form JSON
    const res = await this.m.createQueryBuilder().insert().into(DomainEventEntity).values(e as never).orIgnore().returning('id').execute();
    if (res.raw.length) return { id: e.id, inserted: true };
    const stored = await this.m.findOneBy(DomainEventEntity, { ingestKey: e.ingestKey! });
    if (!stored) throw new Error(`event ${e.id} was neither stored nor found by its key`);
    return { id: stored.id, inserted: false };
  }

  // Inbound receivers

  findReceiver(id: string): Promise<WebhookReceiverEntity | null> {
    return this.m.findOneBy(WebhookReceiverEntity, { id });
  }

  listReceivers(): Promise<WebhookReceiverEntity[]> {
    return this.m.find(WebhookReceiverEntity, { order: { created: 'ASC', id: 'ASC' } });
  }

  async saveReceiver(r: WebhookReceiverEntity): Promise<void> {
    await this.m.save(WebhookReceiverEntity, r as never);
  }

  async deleteReceiver(id: string): Promise<boolean> {
    return ((await this.m.delete(WebhookReceiverEntity, { id })).affected ?? 0) > 0;
  }
}

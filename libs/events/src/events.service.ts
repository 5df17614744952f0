import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@app/clock';
import { DomainEventEntity, EventSource } from '@app/db';

export interface Actor {
  username: string;
  userId: string;
}

export interface NewEvent {
  source: EventSource;
  operation: string;
  /** Item or group id, or the username for user events. */
  targetId: string;
  properties?: Record<string, unknown>;
}

export type Recorder = (actor: Actor, event: NewEvent) => Promise<void>;

/** Hears of recorded events, in batches (in the order recorded within a batch). */
export type EventListener = (events: DomainEventEntity[]) => Promise<void> | void;

/** Batches handed to listeners at once (few, so a burst makes large batches: fewer queue jobs), and the most events in one. */
const MAX_BATCHES_IN_FLIGHT = 2;
const MAX_BATCH = 200;

/**
 * Records what happened (for webhooks); listeners hear of each event after it is stored, off the request path.
 * Events queue up while up to MAX_BATCHES_IN_FLIGHT batches are being handled, and the next batch takes all
 * that waited (up to MAX_BATCH): a burst is handled in a few large batches, a trickle one event at a time.
 */
@Injectable()
export class EventsService implements OnApplicationShutdown {
  private readonly log = new Logger('Events');
  private readonly listeners: EventListener[] = [];
  private readonly waiting: DomainEventEntity[] = [];
  private inFlight = 0;
  private idle?: () => void;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  onRecorded(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /** Stores one event outside any transaction and tells listeners. */
  async record(actor: Actor, event: NewEvent): Promise<DomainEventEntity> {
    const row = await this.insert(this.ds.manager, actor, event);
    this.dispatch(row);
    return row;
  }

  /**
   * Runs `work` in a transaction; events it records commit with its changes,
   * and listeners hear of them only after the commit.
   */
  async transaction<T>(work: (manager: EntityManager, record: Recorder) => Promise<T>): Promise<T> {
    const pending: DomainEventEntity[] = [];
    const result = await this.ds.transaction((manager) =>
      work(manager, async (actor, event) => {
        pending.push(await this.insert(manager, actor, event));
      }),
    );
    for (const e of pending) this.dispatch(e);
    return result;
  }

  private dispatch(event: DomainEventEntity): void {
    this.waiting.push(event);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < MAX_BATCHES_IN_FLIGHT && this.waiting.length) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.notify(batch).finally(() => {
        this.inFlight--;
        if (!this.inFlight && !this.waiting.length) this.idle?.();
        this.pump();
      });
    }
  }

  /** Lets listeners finish what was recorded before the process stops (a crash is covered by the webhooks' sweep). */
  async onApplicationShutdown(): Promise<void> {
    if (!this.inFlight && !this.waiting.length) return;
    await new Promise<void>((resolve) => (this.idle = resolve));
  }

  private async insert(manager: EntityManager, actor: Actor, event: NewEvent): Promise<DomainEventEntity> {
    const row = manager.create(DomainEventEntity, {
      id: randomUUID(),
      source: event.source,
      operation: event.operation,
      targetId: event.targetId,
      username: actor.username,
      userId: actor.userId,
      occurredAt: this.clock.now(),
      properties: event.properties ?? {},
      origin: 'local',
    });
    await manager.insert(DomainEventEntity, row as never); // properties is free-form JSON
    return row;
  }

  async list(opts: { since?: Date; limit?: number } = {}): Promise<DomainEventEntity[]> {
    const qb = this.ds.getRepository(DomainEventEntity).createQueryBuilder('e').orderBy('e.occurredAt', 'ASC');
    if (opts.since) qb.where('e.occurredAt >= :since', { since: opts.since });
    return qb.take(opts.limit ?? 1000).getMany();
  }

  async notify(events: DomainEventEntity[]): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(events);
      } catch (e) {
        this.log.error(`listener failed for ${events.length} event(s) from ${events[0]?.id}: ${(e as Error).message}`);
      }
    }
  }
}

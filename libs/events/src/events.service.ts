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

export type EventListener = (event: DomainEventEntity) => Promise<void> | void;

/** Records what happened (for webhooks); listeners hear of each event after it is stored. */
@Injectable()
export class EventsService implements OnApplicationShutdown {
  private readonly log = new Logger('Events');
  private readonly listeners: EventListener[] = [];
  // Listeners (webhook fan-out) run off the request path, one event at a time in the order recorded.
  private dispatching: Promise<void> = Promise.resolve();

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
    this.dispatching = this.dispatching.then(() => this.notify(event));
  }

  /** Lets listeners finish what was recorded before the process stops (a crash is covered by the webhooks' sweep). */
  async onApplicationShutdown(): Promise<void> {
    await this.dispatching;
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

  async notify(event: DomainEventEntity): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(event);
      } catch (e) {
        this.log.error(`listener failed for event ${event.id}: ${(e as Error).message}`);
      }
    }
  }
}

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type EventSource = 'item' | 'group' | 'user' | 'role';

/** Something that happened in the portal; webhooks deliver these. */
@Entity('domain_events')
@Index(['occurredAt'])
export class DomainEventEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'varchar', length: 16 })
  source: EventSource;

  @Column({ type: 'varchar', length: 64 })
  operation: string;

  /** Id of the item or group, or the username for user events, as the trigger URIs name them. */
  @Column({ name: 'target_id', type: 'varchar', length: 128 })
  targetId: string;

  @Column({ type: 'varchar', length: 128 })
  username: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  properties: Record<string, unknown>;

  /** `local` for events of this server, `ingested` for ones an administrator published from elsewhere. */
  @Column({ type: 'varchar', length: 16, default: 'local' })
  origin: 'local' | 'ingested';

  /** The publisher's own key of an ingested event (unique): publishing it again stores nothing new. */
  @Column({ name: 'ingest_key', type: 'varchar', length: 200, nullable: true })
  ingestKey: string | null;
}

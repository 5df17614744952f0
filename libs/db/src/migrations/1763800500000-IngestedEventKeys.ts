import { MigrationInterface, QueryRunner } from 'typeorm';

/** A publisher's own key for an ingested event, so that publishing the same event again stores and delivers it once. */
export class IngestedEventKeys1763800500000 implements MigrationInterface {
  name = 'IngestedEventKeys1763800500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE domain_events ADD COLUMN ingest_key varchar(200)`);
    await q.query(`CREATE UNIQUE INDEX domain_events_ingest_key ON domain_events (ingest_key) WHERE ingest_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS domain_events_ingest_key`);
    await q.query(`ALTER TABLE domain_events DROP COLUMN IF EXISTS ingest_key`);
  }
}

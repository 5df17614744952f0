import { MigrationInterface, QueryRunner } from 'typeorm';

/** An executeNotebook request may name who is told of its outcome; `notified_at` is the outbox of those runs. */
export class RunNotifications1764130000002 implements MigrationInterface {
  name = 'RunNotifications1764130000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE runs ADD COLUMN notifications jsonb, ADD COLUMN notified_at timestamptz`);
    await q.query(`CREATE INDEX runs_to_notify ON runs (finished_at) WHERE notified_at IS NULL AND notifications IS NOT NULL AND status IN ('COMPLETED','FAILED')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS runs_to_notify`);
    await q.query(`ALTER TABLE runs DROP COLUMN IF EXISTS notifications, DROP COLUMN IF EXISTS notified_at`);
  }
}

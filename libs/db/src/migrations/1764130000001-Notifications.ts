import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications of task outcomes: whom a task tells (`notifications`), what it last sent (`last_notification`),
 * which finished task runs are still to be notified (`notified_at`, an outbox), and URL notifications as
 * deliveries of the webhook engine that belong to no webhook (`target_url`).
 */
export class Notifications1764130000001 implements MigrationInterface {
  name = 'Notifications1764130000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN notifications jsonb, ADD COLUMN last_notification jsonb`);
    await q.query(`ALTER TABLE task_runs ADD COLUMN notified_at timestamptz`);
    // Outcomes recorded before notifications existed are not sent now.
    await q.query(`UPDATE task_runs SET notified_at = modified WHERE status IN ('succeeded','failed','submitfailed')`);
    await q.query(
      `CREATE INDEX task_runs_to_notify ON task_runs (modified) WHERE notified_at IS NULL AND status IN ('succeeded','failed','submitfailed')`,
    );
    await q.query(`ALTER TABLE webhook_deliveries ALTER COLUMN webhook_id DROP NOT NULL, ADD COLUMN target_url text`);
    await q.query(`ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_target CHECK (webhook_id IS NOT NULL OR target_url IS NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM webhook_deliveries WHERE webhook_id IS NULL`);
    await q.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT IF EXISTS webhook_deliveries_target, DROP COLUMN IF EXISTS target_url`);
    await q.query(`ALTER TABLE webhook_deliveries ALTER COLUMN webhook_id SET NOT NULL`);
    await q.query(`DROP INDEX IF EXISTS task_runs_to_notify`);
    await q.query(`ALTER TABLE task_runs DROP COLUMN IF EXISTS notified_at`);
    await q.query(`ALTER TABLE tasks DROP COLUMN IF EXISTS notifications, DROP COLUMN IF EXISTS last_notification`);
  }
}

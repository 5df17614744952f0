import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-delivery retry plans (opt-in long schedules) and the time the next attempt is due. */
export class WebhookRetrySchedules1764120000001 implements MigrationInterface {
  name = 'WebhookRetrySchedules1764120000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN retry_delays jsonb, ADD COLUMN next_attempt_at timestamptz`);
    await q.query(`CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (created_at) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS webhook_deliveries_pending`);
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN IF EXISTS retry_delays, DROP COLUMN IF EXISTS next_attempt_at`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1763800300000 implements MigrationInterface {
  name = 'Webhooks1763800300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id char(32) PRIMARY KEY,
        name varchar(256) NOT NULL,
        payload_url text,
        secret text NOT NULL DEFAULT '',
        is_active boolean NOT NULL DEFAULT true,
        deactivated_reason text,
        events jsonb NOT NULL,
        config jsonb NOT NULL,
        owner_id char(32) NOT NULL,
        modified_id char(32) NOT NULL,
        created timestamptz NOT NULL,
        modified timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id char(32) PRIMARY KEY,
        webhook_id char(32) NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('pending','submitted','succeeded','failed')),
        payload jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        redeliveries integer NOT NULL DEFAULT 0,
        is_invoked boolean NOT NULL DEFAULT false,
        invoked_at timestamptz,
        http_status integer,
        response_text text,
        run_id char(32),
        created_at timestamptz NOT NULL,
        finished_at timestamptz,
        CONSTRAINT webhook_deliveries_webhook_event UNIQUE (webhook_id, event_id)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_webhook_created ON webhook_deliveries (webhook_id, created_at)`);
    await q.query(`CREATE INDEX webhook_deliveries_status_finished ON webhook_deliveries (status, finished_at)`);
    await q.query(`CREATE INDEX webhook_deliveries_run ON webhook_deliveries (run_id) WHERE run_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE webhook_failures (
        id bigserial PRIMARY KEY,
        webhook_id char(32) NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        occurred_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX webhook_failures_webhook_occurred ON webhook_failures (webhook_id, occurred_at)`);
    await q.query(`
      CREATE TABLE webhook_event_marks (
        event_id uuid PRIMARY KEY,
        dispatched_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE webhook_settings (
        id smallint PRIMARY KEY CHECK (id = 1),
        notification_attempts integer NOT NULL,
        notification_timeout_seconds integer NOT NULL,
        notification_elapsed_seconds integer NOT NULL
      )`);
    await q.query(`INSERT INTO webhook_settings VALUES (1, 3, 10, 30)`);
    await q.query(`
      CREATE TABLE webhook_receivers (
        id char(32) PRIMARY KEY,
        name varchar(256) NOT NULL,
        item_id char(32) NOT NULL,
        secret text NOT NULL,
        signature_headers jsonb NOT NULL,
        parameters jsonb,
        disabled boolean NOT NULL DEFAULT false,
        owner_id char(32) NOT NULL,
        created timestamptz NOT NULL,
        modified timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['webhook_receivers', 'webhook_settings', 'webhook_event_marks', 'webhook_failures', 'webhook_deliveries', 'webhooks']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}

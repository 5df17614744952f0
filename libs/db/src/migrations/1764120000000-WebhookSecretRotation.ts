import { MigrationInterface, QueryRunner } from 'typeorm';

/** A rotated-out webhook secret keeps signing beside the new one for an overlap. */
export class WebhookSecretRotation1764120000000 implements MigrationInterface {
  name = 'WebhookSecretRotation1764120000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks ADD COLUMN previous_secret text, ADD COLUMN previous_secret_expires timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks DROP COLUMN IF EXISTS previous_secret, DROP COLUMN IF EXISTS previous_secret_expires`);
  }
}

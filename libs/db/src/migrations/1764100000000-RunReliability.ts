import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs: whether an infrastructure failure after the notebook started is retried (opt-in, default false), and the
 * client's idempotency key (executeNotebook's `Idempotency-Key` / `requestId`), unique per owner.
 */
export class RunReliability1764100000000 implements MigrationInterface {
  name = 'RunReliability1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE runs ADD COLUMN retry_on_infrastructure_failure boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE runs ADD COLUMN request_key varchar(200)`);
    await q.query(`CREATE UNIQUE INDEX runs_owner_request_key ON runs (owner_id, request_key) WHERE request_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS runs_owner_request_key`);
    await q.query(`ALTER TABLE runs DROP COLUMN IF EXISTS request_key`);
    await q.query(`ALTER TABLE runs DROP COLUMN IF EXISTS retry_on_infrastructure_failure`);
  }
}

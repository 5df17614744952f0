import { MigrationInterface, QueryRunner } from 'typeorm';

/** Keys the server generates for itself (the token key when TOKEN_SECRET is not set), shared by every node. */
export class ServerSecrets1764100000001 implements MigrationInterface {
  name = 'ServerSecrets1764100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE server_secrets (name varchar(64) PRIMARY KEY, value text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS server_secrets`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** The product's third built-in role, org_publisher (Publisher), between org_user and org_admin. */
export class PublisherRole1764090000002 implements MigrationInterface {
  name = 'PublisherRole1764090000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('org_admin','org_publisher','org_user'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE users SET role = 'org_user' WHERE role = 'org_publisher'`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('org_admin','org_user'))`);
  }
}

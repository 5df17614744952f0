import { MigrationInterface, QueryRunner } from 'typeorm';

/** Custom roles, the custom role a user holds, and users' user types (for the seeds' /roles and user type events). */
export class RolesAndUserTypes1764120000002 implements MigrationInterface {
  name = 'RolesAndUserTypes1764120000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE roles (
        id varchar(32) PRIMARY KEY,
        name varchar(128) NOT NULL,
        description varchar(250) NOT NULL DEFAULT '',
        privileges text[] NOT NULL DEFAULT '{}',
        created timestamptz NOT NULL,
        modified timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX roles_name ON roles (lower(name))`);
    await q.query(`
      CREATE TABLE user_custom_roles (
        user_id char(32) PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        role_id varchar(32) NOT NULL REFERENCES roles(id)
      )`);
    await q.query(`
      CREATE TABLE user_license_types (
        user_id char(32) PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        license_type varchar(64) NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS user_license_types`);
    await q.query(`DROP TABLE IF EXISTS user_custom_roles`);
    await q.query(`DROP TABLE IF EXISTS roles`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** Requests to join a group and invitations to one (the seeds' requestJoin and invite events), until decided. */
export class GroupApplications1764120000004 implements MigrationInterface {
  name = 'GroupApplications1764120000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE group_applications (
        group_id char(32) NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        user_id char(32) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        received timestamptz NOT NULL,
        PRIMARY KEY (group_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE group_invitations (
        id char(32) PRIMARY KEY,
        group_id char(32) NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        user_id char(32) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role varchar(16) NOT NULL,
        from_username varchar(128) NOT NULL,
        created timestamptz NOT NULL,
        expires timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX group_invitations_user ON group_invitations (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS group_invitations`);
    await q.query(`DROP TABLE IF EXISTS group_applications`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** Requests to join a group (the seeds' requestJoin event), until decided. (Invitations join at once: no table.) */
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS group_applications`);
  }
}

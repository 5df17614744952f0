import { MigrationInterface, QueryRunner } from 'typeorm';

/** Comments on items (the seeds' addComment, updateComment and deleteComment events). */
export class ItemComments1764120000003 implements MigrationInterface {
  name = 'ItemComments1764120000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE item_comments (
        id char(32) PRIMARY KEY,
        item_id char(32) NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        owner_id char(32) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        owner varchar(128) NOT NULL,
        comment text NOT NULL,
        created timestamptz NOT NULL,
        modified timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX item_comments_item ON item_comments (item_id, created)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS item_comments`);
  }
}

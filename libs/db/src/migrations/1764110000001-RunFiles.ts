import { MigrationInterface, QueryRunner } from 'typeorm';

/** The files a run's notebook wrote (its output files), deleted with the run. */
export class RunFiles1764110000001 implements MigrationInterface {
  name = 'RunFiles1764110000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE run_files (
        run_id char(32) NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name varchar(1024) NOT NULL,
        size bigint NOT NULL,
        content bytea NOT NULL,
        PRIMARY KEY (run_id, name)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS run_files`);
  }
}

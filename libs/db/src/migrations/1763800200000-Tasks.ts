import { MigrationInterface, QueryRunner } from 'typeorm';

export class Tasks1763800200000 implements MigrationInterface {
  name = 'Tasks1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tasks (
        id char(32) PRIMARY KEY,
        owner_id char(32) NOT NULL,
        item_id char(32) NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        type varchar(64) NOT NULL,
        title varchar(256) NOT NULL,
        cron jsonb NOT NULL,
        parameters jsonb NOT NULL,
        start_date timestamptz,
        end_date timestamptz,
        max_occurrences integer CHECK (max_occurrences IS NULL OR max_occurrences > 0),
        occurrences integer NOT NULL DEFAULT 0,
        active boolean NOT NULL,
        task_state varchar(16) NOT NULL CHECK (task_state IN ('active','inactive','completed','disabled')),
        disabled_reason text,
        consecutive_failures integer NOT NULL DEFAULT 0,
        next_fire_at timestamptz,
        last_start timestamptz,
        created timestamptz NOT NULL,
        updated timestamptz NOT NULL
      )`);
    // The scheduler's query: active tasks whose next fire is due.
    await q.query(`CREATE INDEX tasks_due ON tasks (next_fire_at) WHERE active`);
    await q.query(`CREATE INDEX tasks_owner ON tasks (owner_id)`);
    await q.query(`CREATE INDEX tasks_item ON tasks (item_id)`);
    await q.query(`
      CREATE TABLE task_runs (
        id char(32) PRIMARY KEY,
        task_id char(32) NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        scheduled_for timestamptz NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('scheduled','executing','succeeded','skipped','failed','submitfailed')),
        run_id char(32) REFERENCES runs(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED, -- the fire's row is written before its run
        result text NOT NULL DEFAULT '',
        created timestamptz NOT NULL,
        modified timestamptz NOT NULL,
        -- A fire is recorded at most once, whichever node handles it.
        CONSTRAINT task_runs_one_per_fire UNIQUE (task_id, scheduled_for)
      )`);
    await q.query(`CREATE INDEX task_runs_run ON task_runs (run_id)`);
    await q.query(`CREATE INDEX task_runs_open ON task_runs (task_id) WHERE status IN ('scheduled','executing')`);
    await q.query(`CREATE INDEX runs_task ON runs (task_id) WHERE task_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS runs_task`);
    for (const t of ['task_runs', 'tasks']) await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}

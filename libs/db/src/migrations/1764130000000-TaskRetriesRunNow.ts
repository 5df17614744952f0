import { MigrationInterface, QueryRunner } from 'typeorm';

/** Retries of a task's fires, and fires started by hand ("run now", trigger `manual`). */
export class TaskRetriesRunNow1764130000000 implements MigrationInterface {
  name = 'TaskRetriesRunNow1764130000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_trigger_check`);
    await q.query(`ALTER TABLE runs ADD CONSTRAINT runs_trigger_check CHECK (trigger IN ('executeNotebook','task','webhook','manual'))`);
    await q.query(`ALTER TABLE tasks ADD COLUMN max_retries integer NOT NULL DEFAULT 0 CHECK (max_retries BETWEEN 0 AND 10)`);
    await q.query(`ALTER TABLE tasks ADD COLUMN retry_delay_seconds integer NOT NULL DEFAULT 60 CHECK (retry_delay_seconds >= 0)`);
    await q.query(`ALTER TABLE task_runs ADD COLUMN trigger varchar(16) NOT NULL DEFAULT 'task' CHECK (trigger IN ('task','manual'))`);
    await q.query(`ALTER TABLE task_runs ADD COLUMN attempt integer NOT NULL DEFAULT 1 CHECK (attempt >= 1)`);
    // The task run this one retries; a retry is deleted with the task, not with the run it retries.
    await q.query(`ALTER TABLE task_runs ADD COLUMN retry_of char(32)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ['retry_of', 'attempt', 'trigger']) await q.query(`ALTER TABLE task_runs DROP COLUMN IF EXISTS ${c}`);
    for (const c of ['retry_delay_seconds', 'max_retries']) await q.query(`ALTER TABLE tasks DROP COLUMN IF EXISTS ${c}`);
    await q.query(`ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_trigger_check`);
    await q.query(`ALTER TABLE runs ADD CONSTRAINT runs_trigger_check CHECK (trigger IN ('executeNotebook','task','webhook'))`);
  }
}

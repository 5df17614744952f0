import { MigrationInterface, QueryRunner } from 'typeorm';

export class Execution1763800100000 implements MigrationInterface {
  name = 'Execution1763800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE runs (
        id char(32) PRIMARY KEY,
        trigger varchar(32) NOT NULL CHECK (trigger IN ('executeNotebook','task','webhook')),
        item_id char(32) NOT NULL,
        owner_id char(32) NOT NULL,
        username varchar(128) NOT NULL,
        runtime varchar(64) NOT NULL,
        parameters jsonb,
        webhook_payload jsonb,
        token_user_id char(32),
        token_minutes integer,
        update_portal_item boolean NOT NULL DEFAULT true,
        save_injected_parameters boolean NOT NULL DEFAULT false,
        timeout_minutes double precision NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('SUBMITTED','PROCESSING','COMPLETED','FAILED')),
        cancelled boolean NOT NULL DEFAULT false,
        node_name varchar(63),
        messages jsonb NOT NULL DEFAULT '[]',
        error jsonb,
        result jsonb,
        has_artifacts boolean NOT NULL DEFAULT false,
        task_id char(32),
        webhook_id char(32),
        submitted_at timestamptz NOT NULL,
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX runs_status ON runs (status)`);
    await q.query(`CREATE INDEX runs_owner_submitted ON runs (owner_id, submitted_at)`);
    await q.query(`CREATE INDEX runs_submitted ON runs (submitted_at)`);
    await q.query(`CREATE INDEX runs_node_status ON runs (node_name, status)`);
    await q.query(`
      CREATE TABLE run_artifacts (
        run_id char(32) PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        notebook text NOT NULL,
        snapshot_html text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE system_properties (
        key varchar(128) PRIMARY KEY,
        value jsonb NOT NULL,
        modified timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE worker_nodes (
        name varchar(63) PRIMARY KEY,
        cap integer NOT NULL,
        running integer NOT NULL,
        docker_ok boolean NOT NULL,
        warm_containers integer NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL,
        last_heartbeat timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['worker_nodes', 'system_properties', 'run_artifacts', 'runs']) await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** Runtimes in Postgres (RUNTIMES only seeds them), the manifests read from their images, and each node's images. */
export class Runtimes1764110000000 implements MigrationInterface {
  name = 'Runtimes1764110000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE runtimes (
        id char(32) PRIMARY KEY,
        name varchar(128) NOT NULL UNIQUE,
        version varchar(64) NOT NULL,
        image_id varchar(300) NOT NULL,
        image_pull_string varchar(300) NOT NULL DEFAULT '',
        container_type varchar(32) NOT NULL DEFAULT 'docker',
        requires_advanced_privileges boolean NOT NULL DEFAULT false,
        max_cpu double precision NOT NULL,
        max_memory double precision NOT NULL,
        max_memory_unit varchar(1) NOT NULL,
        max_swap_memory double precision NOT NULL DEFAULT 0,
        max_swap_memory_unit varchar(1) NOT NULL DEFAULT 'g',
        shared_memory double precision NOT NULL DEFAULT 0,
        shared_memory_unit varchar(1) NOT NULL DEFAULT 'm',
        docker_runtime varchar(64) NOT NULL DEFAULT '',
        network_mode varchar(128) NOT NULL DEFAULT 'none',
        warm_pool_size integer,
        declared_manifest jsonb,
        built_in boolean NOT NULL DEFAULT false,
        unregistered boolean NOT NULL DEFAULT false,
        created timestamptz NOT NULL DEFAULT now(),
        modified timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE runtime_manifests (
        image_digest varchar(100) PRIMARY KEY,
        manifest jsonb NOT NULL,
        read_at timestamptz NOT NULL DEFAULT now()
      )`);
    // image reference (tag or id) -> Docker image id, for each image the node has.
    await q.query(`ALTER TABLE worker_nodes ADD COLUMN images jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE worker_nodes DROP COLUMN IF EXISTS images`);
    await q.query(`DROP TABLE IF EXISTS runtime_manifests`);
    await q.query(`DROP TABLE IF EXISTS runtimes`);
  }
}

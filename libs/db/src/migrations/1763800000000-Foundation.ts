import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1763800000000 implements MigrationInterface {
  name = 'Foundation1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id char(32) PRIMARY KEY,
        username varchar(128) NOT NULL UNIQUE,
        full_name varchar(256) NOT NULL DEFAULT '',
        email varchar(256) NOT NULL DEFAULT '',
        role varchar(32) NOT NULL CHECK (role IN ('org_admin','org_user')),
        privileges text[] NOT NULL DEFAULT '{}',
        password_hash varchar(100) NOT NULL,
        disabled boolean NOT NULL DEFAULT false,
        created timestamptz NOT NULL DEFAULT now(),
        modified timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_lower ON users (lower(username))`);
    await q.query(`
      CREATE TABLE groups (
        id char(32) PRIMARY KEY,
        title varchar(256) NOT NULL,
        description text NOT NULL DEFAULT '',
        snippet varchar(2048) NOT NULL DEFAULT '',
        tags text[] NOT NULL DEFAULT '{}',
        access varchar(16) NOT NULL DEFAULT 'private' CHECK (access IN ('private','org','public')),
        owner_id char(32) NOT NULL REFERENCES users(id),
        is_protected boolean NOT NULL DEFAULT false,
        created timestamptz NOT NULL DEFAULT now(),
        modified timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE group_members (
        group_id char(32) NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        user_id char(32) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        member_type varchar(16) NOT NULL DEFAULT 'member',
        joined timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, user_id)
      )`);
    await q.query(`CREATE INDEX group_members_user ON group_members (user_id)`);
    await q.query(`
      CREATE TABLE items (
        id char(32) PRIMARY KEY,
        owner_id char(32) NOT NULL REFERENCES users(id),
        type varchar(64) NOT NULL,
        title varchar(256) NOT NULL,
        snippet varchar(2048) NOT NULL DEFAULT '',
        description text NOT NULL DEFAULT '',
        tags text[] NOT NULL DEFAULT '{}',
        access varchar(16) NOT NULL DEFAULT 'private' CHECK (access IN ('private','org','public')),
        owner_folder varchar(128),
        data text NOT NULL,
        size integer NOT NULL DEFAULT 0,
        created timestamptz NOT NULL DEFAULT now(),
        modified timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX items_owner ON items (owner_id)`);
    await q.query(`
      CREATE TABLE item_group_shares (
        item_id char(32) NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        group_id char(32) NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        PRIMARY KEY (item_id, group_id)
      )`);
    await q.query(`CREATE INDEX item_group_shares_group ON item_group_shares (group_id)`);
    await q.query(`
      CREATE TABLE domain_events (
        id uuid PRIMARY KEY,
        source varchar(16) NOT NULL,
        operation varchar(64) NOT NULL,
        target_id varchar(128) NOT NULL,
        username varchar(128) NOT NULL,
        user_id varchar(64) NOT NULL,
        occurred_at timestamptz NOT NULL,
        properties jsonb NOT NULL DEFAULT '{}',
        origin varchar(16) NOT NULL DEFAULT 'local'
      )`);
    await q.query(`CREATE INDEX domain_events_occurred_at ON domain_events (occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['domain_events', 'item_group_shares', 'items', 'group_members', 'groups', 'users']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}

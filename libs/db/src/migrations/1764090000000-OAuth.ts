import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OAuth2 sign-in: single-use, short-lived grants (the sign-in page's state, authorization codes) and sessions
 * (one per sign-in; a refresh token belongs to one; revoking a session ends its refresh and access tokens).
 * Only SHA-256 hashes of states, codes and refresh tokens are stored.
 */
export class OAuth1764090000000 implements MigrationInterface {
  name = 'OAuth1764090000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oauth_grants (
        key_hash char(64) PRIMARY KEY,
        kind varchar(16) NOT NULL,
        payload jsonb NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX oauth_grants_expires ON oauth_grants (expires_at)`);
    await q.query(`
      CREATE TABLE oauth_sessions (
        id char(32) PRIMARY KEY,
        user_id char(32) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        client_id varchar(64) NOT NULL,
        refresh_hash char(64) UNIQUE,
        created timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX oauth_sessions_user ON oauth_sessions (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS oauth_sessions`);
    await q.query(`DROP TABLE IF EXISTS oauth_grants`);
  }
}

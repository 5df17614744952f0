import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Portal search in Postgres: trigram (pg_trgm) GIN indexes make `LIKE '%word%'` on the searched text use an index.
 * The text of an item or group (title, tags, snippet) is built by an IMMUTABLE function (array_to_string is only STABLE), so the queries
 * and the expression indexes spell it the same way.
 */
export class Search1764090000001 implements MigrationInterface {
  name = 'Search1764090000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE FUNCTION nba_search_text(title text, tags text[], snippet text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT lower(coalesce(title, '') || ' ' || coalesce(array_to_string(tags, ' '), '') || ' ' || coalesce(snippet, '')) $$`);
    await q.query(`CREATE INDEX items_search_text ON items USING gin (nba_search_text(title, tags, snippet) gin_trgm_ops)`);
    await q.query(`CREATE INDEX items_search_title ON items USING gin (lower(title) gin_trgm_ops)`);
    await q.query(`CREATE INDEX users_search_text ON users USING gin ((lower(username || ' ' || full_name)) gin_trgm_ops)`);
    await q.query(`CREATE INDEX groups_search_text ON groups USING gin (nba_search_text(title, tags, snippet) gin_trgm_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of ['groups_search_text', 'users_search_text', 'items_search_title', 'items_search_text']) await q.query(`DROP INDEX IF EXISTS ${i}`);
    await q.query(`DROP FUNCTION IF EXISTS nba_search_text(text, text[], text)`);
  }
}

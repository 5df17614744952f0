import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Portal search in Postgres. The text bare words look in is a stored generated column (`search_text`, lowercase)
 * with a trigram (pg_trgm) GIN index, so `LIKE '%word%'` uses the index and rechecks a stored value rather than
 * rebuilding the text per row. array_to_string is only STABLE, so an IMMUTABLE function builds item and group text.
 */
export class Search1764090000001 implements MigrationInterface {
  name = 'Search1764090000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE FUNCTION nba_search_text(title text, tags text[], snippet text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT lower(coalesce(title, '') || ' ' || coalesce(array_to_string(tags, ' '), '') || ' ' || coalesce(snippet, '')) $$`);
    await q.query(`
      CREATE FUNCTION nba_lower_tags(tags text[]) RETURNS text[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT coalesce(array_agg(lower(t)), '{}') FROM unnest(tags) AS t $$`);
    for (const table of ['items', 'groups']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN search_text text GENERATED ALWAYS AS (nba_search_text(title, tags, snippet)) STORED`);
      await q.query(`CREATE INDEX ${table}_search_text ON ${table} USING gin (search_text gin_trgm_ops)`);
      // tags:x compares lowercase tags, on an array GIN index
      await q.query(`ALTER TABLE ${table} ADD COLUMN tags_lower text[] GENERATED ALWAYS AS (nba_lower_tags(tags)) STORED`);
      await q.query(`CREATE INDEX ${table}_tags_lower ON ${table} USING gin (tags_lower)`);
    }
    await q.query(`ALTER TABLE users ADD COLUMN search_text text GENERATED ALWAYS AS (lower(username || ' ' || full_name)) STORED`);
    await q.query(`CREATE INDEX users_search_text ON users USING gin (search_text gin_trgm_ops)`);
    await q.query(`CREATE INDEX items_search_title ON items USING gin (lower(title) gin_trgm_ops)`);
    // the default order of item search: newest change first
    await q.query(`CREATE INDEX items_modified ON items (modified DESC, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS items_modified`);
    await q.query(`DROP INDEX IF EXISTS items_search_title`);
    for (const table of ['items', 'groups']) await q.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS tags_lower`);
    for (const table of ['items', 'groups', 'users']) await q.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS search_text`);
    await q.query(`DROP FUNCTION IF EXISTS nba_lower_tags(text[])`);
    await q.query(`DROP FUNCTION IF EXISTS nba_search_text(text, text[], text)`);
  }
}

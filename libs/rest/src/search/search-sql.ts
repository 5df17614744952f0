import { DomainError } from '../domain-error';
import { SearchNode } from './search-query';

/** Positional parameters of one SQL statement ($1, $2, …). */
export class SqlParams {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** SQL for one term; `value` is raw text, `phrase` when it was quoted. */
export type TermSql = (value: string, phrase: boolean, p: SqlParams) => string;

/** What a search can filter on: its fields, and where bare words look. */
export interface SearchSpec {
  fields: Record<string, TermSql>;
  bare: TermSql;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const hasWildcard = (value: string, phrase: boolean) => !phrase && /[*?]/.test(value);
const toLike = (value: string, phrase: boolean) => {
  const escaped = escapeLike(value.toLowerCase());
  return phrase ? escaped : escaped.replace(/\*/g, '%').replace(/\?/g, '_');
};

/** `lower(column)` contains the term (`*`/`?` wildcards inside words); backed by a trigram index. */
export const containsTerm = (column: string): TermSql => (value, phrase, p) => `${column} LIKE ${p.add(`%${toLike(value, phrase)}%`)}`;

/** The column equals the term, ignoring case (or matches it, with wildcards). */
export const equalsTerm = (column: string): TermSql => (value, phrase, p) =>
  hasWildcard(value, phrase) ? `lower(${column}) LIKE ${p.add(toLike(value, phrase))}` : `lower(${column}) = ${p.add(value.toLowerCase())}`;

/** An id column (lowercase hex): plain equality, so the primary key answers it. */
export const idTerm = (column: string): TermSql => (value, _phrase, p) => `${column} = ${p.add(value.toLowerCase())}`;

/** One element of a lowercase text[] column equals the term (array containment, GIN-indexed), or matches its wildcards. */
export const arrayHasTerm = (column: string): TermSql => (value, phrase, p) =>
  hasWildcard(value, phrase)
    ? `EXISTS (SELECT 1 FROM unnest(${column}) AS e(v) WHERE e.v LIKE ${p.add(toLike(value, phrase))})`
    : `${column} @> ARRAY[${p.add(value.toLowerCase())}]::text[]`;

/** A term that is true for one constant value (the organization's id) and false for any other. */
export const constantTerm = (actual: string): TermSql => (value) => (value.toLowerCase() === actual.toLowerCase() ? 'TRUE' : 'FALSE');

/** Compiles a parsed query to a SQL condition; an unknown field is a 400 naming it and the known ones. */
export function searchSql(node: SearchNode, spec: SearchSpec, p: SqlParams): string {
  switch (node.kind) {
    case 'all':
      return 'TRUE';
    case 'not':
      return `NOT (${searchSql(node.node, spec, p)})`;
    case 'and':
    case 'or':
      return `(${node.nodes.map((n) => searchSql(n, spec, p)).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'term': {
      if (node.field === null) return spec.bare(node.value, node.phrase, p);
      const field = spec.fields[node.field];
      if (!field) {
        const known = Object.keys(spec.fields).join(', ');
        throw DomainError.invalid('UNKNOWN_SEARCH_FIELD', `Unknown search field '${node.field.slice(0, 32)}'; the fields are: ${known}.`);
      }
      return field(node.value, node.phrase, p);
    }
  }
}

/**
 * Runs a search's two statements, the count and one page: `select` columns `FROM …` (which holds the WHERE),
 * ordered, limited to the page. Only the page's rows are loaded.
 */
export async function searchRows<R>(
  query: (sql: string, values: unknown[]) => Promise<R[]>,
  s: { select: string; from: string; order: string; params: SqlParams; start: number; num: number },
): Promise<{ total: number; rows: R[] }> {
  const [{ n }] = (await query(`SELECT count(*)::int AS n ${s.from}`, s.params.values)) as unknown as Array<{ n: number }>;
  if (n === 0 || s.num === 0) return { total: n, rows: [] };
  const limit = `LIMIT ${s.params.add(s.num)} OFFSET ${s.params.add(s.start - 1)}`;
  return { total: n, rows: await query(`SELECT ${s.select} ${s.from} ORDER BY ${s.order} ${limit}`, s.params.values) };
}

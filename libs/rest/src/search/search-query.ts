import { DomainError } from '../domain-error';

/**
 * The portal's search syntax (`q` of /search, /community/users, /community/groups), parsed to a tree:
 * terms (`fire`, `"fire maps"`, `title:fire`, `owner: "jo smith"`, `*` wildcards), `AND`, `OR`, `NOT` (and
 * `+`/`-` prefixes), parentheses. NOT binds tightest, then AND, then OR; adjacent terms without an operator
 * are ANDed (as current portals do: `map services` finds items with both words). Operators are upper case,
 * as in the product; lower-case `and` is a word.
 */
export type SearchNode =
  | { kind: 'term'; field: string | null; value: string; phrase: boolean }
  | { kind: 'and' | 'or'; nodes: SearchNode[] }
  | { kind: 'not'; node: SearchNode }
  /** Matches everything: an empty query, or `*`. */
  | { kind: 'all' };

type Token =
  | { t: 'word'; value: string; field: string | null; phrase: boolean }
  | { t: 'AND' | 'OR' | 'NOT' | '(' | ')' };

const MAX_QUERY = 2000;
const MAX_DEPTH = 32;

const bad = (message: string) => DomainError.invalid('INVALID_QUERY', `Invalid search query: ${message}`);

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const readValue = (): { value: string; phrase: boolean } => {
    if (q[i] === '"') {
      const end = q.indexOf('"', i + 1);
      if (end < 0) throw bad('a quoted phrase is not closed');
      const value = q.slice(i + 1, end);
      i = end + 1;
      return { value, phrase: true };
    }
    const start = i;
    while (i < q.length && !/[\s()"]/.test(q[i])) i++;
    return { value: q.slice(start, i), phrase: false };
  };
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c });
      i++;
    } else if ((c === '-' || c === '+') && i + 1 < q.length && !/\s/.test(q[i + 1])) {
      if (c === '-') out.push({ t: 'NOT' });
      i++;
    } else {
      const start = i;
      const first = readValue();
      // `field:value` or `field: value` (ArcGIS REST JS sends `id: x AND group: y`)
      const m = !first.phrase ? /^([A-Za-z_]+):(.*)$/.exec(first.value) : null;
      if (m) {
        const field = m[1].toLowerCase();
        let value = m[2];
        let phrase = false;
        if (value === '') {
          // the value came apart from `field:` (a quote right after the colon, or spaces in between)
          i = start + m[1].length + 1;
          while (i < q.length && /\s/.test(q[i])) i++;
          if (i >= q.length || q[i] === '(' || q[i] === ')') throw bad(`'${m[1]}:' has no value`);
          ({ value, phrase } = readValue());
        }
        out.push({ t: 'word', field, value, phrase });
      } else if (!first.phrase && (first.value === 'AND' || first.value === 'OR' || first.value === 'NOT')) {
        out.push({ t: first.value });
      } else if (!first.phrase && first.value === '&&') {
        out.push({ t: 'AND' });
      } else if (!first.phrase && first.value === '||') {
        out.push({ t: 'OR' });
      } else {
        out.push({ t: 'word', field: null, ...first });
      }
    }
  }
  return out;
}

/** Parses `q`; an error names what is wrong (never echoing more than the offending field name). */
export function parseSearchQuery(q: string | undefined): SearchNode {
  const text = (q ?? '').trim();
  if (text.length > MAX_QUERY) throw bad(`longer than ${MAX_QUERY} characters`);
  const tokens = tokenize(text);
  if (!tokens.length) return { kind: 'all' };
  let pos = 0;
  const peek = () => tokens[pos];

  const orExpr = (depth: number): SearchNode => {
    if (depth > MAX_DEPTH) throw bad('nested too deeply');
    const nodes = [andExpr(depth)];
    while (peek()?.t === 'OR') {
      pos++;
      nodes.push(andExpr(depth));
    }
    return nodes.length === 1 ? nodes[0] : { kind: 'or', nodes };
  };
  const andExpr = (depth: number): SearchNode => {
    const nodes = [unary(depth)];
    for (;;) {
      const t = peek();
      if (t?.t === 'AND') {
        pos++;
        nodes.push(unary(depth));
      } else if (t && (t.t === 'word' || t.t === '(' || t.t === 'NOT')) {
        nodes.push(unary(depth)); // adjacent terms: AND
      } else break;
    }
    return nodes.length === 1 ? nodes[0] : { kind: 'and', nodes };
  };
  const unary = (depth: number): SearchNode => {
    const t = peek();
    if (!t) throw bad('it ends where a term was expected');
    if (t.t === 'NOT') {
      pos++;
      return { kind: 'not', node: unary(depth + 1) };
    }
    if (t.t === '(') {
      pos++;
      const inner = orExpr(depth + 1);
      if (peek()?.t !== ')') throw bad('a parenthesis is not closed');
      pos++;
      return inner;
    }
    if (t.t === 'word') {
      pos++;
      if (t.field === null && !t.phrase && t.value === '*') return { kind: 'all' };
      return { kind: 'term', field: t.field, value: t.value, phrase: t.phrase };
    }
    throw bad(`'${t.t}' where a term was expected`);
  };

  const tree = orExpr(0);
  if (pos < tokens.length) throw bad(`unexpected '${tokens[pos].t === 'word' ? 'term' : tokens[pos].t}'`);
  return tree;
}

import { DomainError } from '../domain-error';
import { parseSearchQuery, SearchNode } from './search-query';
import { containsTerm, equalsTerm, searchSql, SqlParams } from './search-sql';

const term = (value: string, field: string | null = null, phrase = false): SearchNode => ({ kind: 'term', field, value, phrase });

/** A compact rendering of a tree: precedence shows as brackets. */
const show = (n: SearchNode): string => {
  switch (n.kind) {
    case 'all':
      return '*';
    case 'term':
      return `${n.field ? `${n.field}:` : ''}${n.phrase ? `"${n.value}"` : n.value}`;
    case 'not':
      return `!${show(n.node)}`;
    default:
      return `[${n.nodes.map(show).join(n.kind === 'and' ? ' & ' : ' | ')}]`;
  }
};

const refusal = (q: string) => {
  try {
    parseSearchQuery(q);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).kind).toBe('invalid');
    return (e as DomainError).message;
  }
  throw new Error(`expected '${q}' to be refused`);
};

describe('search query parser', () => {
  it('reads field terms, bare words and quoted phrases', () => {
    expect(parseSearchQuery('title:fire')).toEqual(term('fire', 'title'));
    expect(parseSearchQuery('"fire maps"')).toEqual(term('fire maps', null, true));
    expect(parseSearchQuery('title:"San Francisco"')).toEqual(term('San Francisco', 'title', true));
    expect(parseSearchQuery('owner: "jo smith"')).toEqual(term('jo smith', 'owner', true));
    expect(parseSearchQuery('TYPE:Notebook')).toEqual(term('Notebook', 'type'));
  });

  it('takes `field: value` with a space, as ArcGIS REST JS sends it', () => {
    expect(show(parseSearchQuery('id: abc123 AND group: def456'))).toBe('[id:abc123 & group:def456]');
  });

  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    expect(show(parseSearchQuery('a OR b AND c'))).toBe('[a | [b & c]]');
    expect(show(parseSearchQuery('a AND b OR c AND d'))).toBe('[[a & b] | [c & d]]');
    expect(show(parseSearchQuery('NOT a AND b'))).toBe('[!a & b]');
    expect(show(parseSearchQuery('a OR NOT b'))).toBe('[a | !b]');
  });

  it('groups with parentheses', () => {
    expect(show(parseSearchQuery('(a OR b) AND c'))).toBe('[[a | b] & c]');
    expect(show(parseSearchQuery('owner:jo AND (tags:x OR NOT (type:Notebook))'))).toBe('[owner:jo & [tags:x | !type:Notebook]]');
  });

  it('ANDs adjacent terms and reads +/- prefixes', () => {
    expect(show(parseSearchQuery('map services'))).toBe('[map & services]');
    expect(show(parseSearchQuery('fire -title:old +tags:new'))).toBe('[fire & !title:old & tags:new]');
  });

  it('treats lower-case operators and operators in quotes as words', () => {
    expect(show(parseSearchQuery('cats and dogs'))).toBe('[cats & and & dogs]');
    expect(show(parseSearchQuery('"rock OR roll"'))).toBe('"rock OR roll"');
  });

  it('matches everything for an empty query or *', () => {
    expect(parseSearchQuery('')).toEqual({ kind: 'all' });
    expect(parseSearchQuery(undefined)).toEqual({ kind: 'all' });
    expect(parseSearchQuery('*')).toEqual({ kind: 'all' });
  });

  it.each([
    ['an unclosed phrase', '"unclosed phrase', /quoted phrase is not closed/],
    ['an unclosed parenthesis', '(a OR b', /parenthesis is not closed/],
    ['a dangling operator', 'a OR', /ends where a term was expected/],
    ['a stray parenthesis', 'a )', /unexpected '\)'/],
    ['a leading AND', 'AND a', /'AND' where a term was expected/],
    ['a field without a value', 'title:', /'title:' has no value/],
    ['a query too long', 'x'.repeat(2001), /longer than 2000 characters/],
    ['a query nested too deeply', '('.repeat(40) + 'a' + ')'.repeat(40), /nested too deeply/],
  ])('refuses %s clearly', (_name, q, message) => {
    expect(refusal(q)).toMatch(message);
  });
});

describe('search SQL', () => {
  const spec = { fields: { title: containsTerm('lower(title)'), type: equalsTerm('type') }, bare: containsTerm('lower(text)') };

  it('compiles to parameterised SQL, keeping precedence', () => {
    const p = new SqlParams();
    expect(searchSql(parseSearchQuery('title:"50% off" OR NOT type:Note* AND web'), spec, p)).toBe(
      '(lower(title) LIKE $1 OR (NOT (lower(type) LIKE $2) AND lower(text) LIKE $3))',
    );
    expect(p.values).toEqual(['%50\\% off%', 'note%', '%web%']);
  });

  it('refuses an unknown field with a 400 naming it and the known fields', () => {
    try {
      searchSql(parseSearchQuery('colour:red'), spec, new SqlParams());
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).messageCode).toBe('UNKNOWN_SEARCH_FIELD');
      expect((e as DomainError).message).toBe("Unknown search field 'colour'; the fields are: title, type.");
    }
  });
});

import { arrayHasTerm, constantTerm, containsTerm, equalsTerm, idTerm, SearchSpec, TermSql } from '@app/rest';
import { TYPE_KEYWORDS } from '../item.view';

/** `typekeywords:Python`: the types whose keywords match (typeKeywords are derived from the type). */
const typeKeywordTerm: TermSql = (value, _phrase, p) => {
  const types = Object.entries(TYPE_KEYWORDS)
    .filter(([, kws]) => kws.some((k) => k.toLowerCase() === value.toLowerCase()))
    .map(([t]) => t);
  return types.length ? `i.type = ANY(${p.add(types)})` : 'FALSE';
};

/**
 * The fields of item search, over `items i JOIN users u ON u.id = i.owner_id`. Bare words look in title, tags
 * and snippet (`search_text`, a stored lowercase column with a trigram index: see the Search migration).
 */
export function itemSearchSpec(orgId: string): SearchSpec {
  const org = constantTerm(orgId);
  return {
    bare: containsTerm('i.search_text'),
    fields: {
      title: containsTerm('lower(i.title)'),
      owner: equalsTerm('u.username'),
      type: equalsTerm('i.type'),
      typekeywords: typeKeywordTerm,
      tags: arrayHasTerm('i.tags_lower'),
      snippet: containsTerm('lower(i.snippet)'),
      description: containsTerm('lower(i.description)'),
      id: idTerm('i.id'),
      orgid: org,
      accountid: org,
      access: equalsTerm('i.access'),
      group: (value, _phrase, p) => `i.id IN (SELECT gs.item_id FROM item_group_shares gs WHERE gs.group_id = ${p.add(value.toLowerCase())})`,
    },
  };
}

export const ITEM_SORT: Record<string, string> = {
  title: 'lower(i.title)',
  created: 'i.created',
  modified: 'i.modified',
  type: 'i.type',
  owner: 'lower(u.username)',
  size: 'i.size',
};

import { arrayHasTerm, constantTerm, containsTerm, equalsTerm, idTerm, SearchSpec } from '@app/rest';

/** Fields of `community/users`, over `users u`; bare words look in username and full name. */
export function userSearchSpec(orgId: string): SearchSpec {
  const org = constantTerm(orgId);
  return {
    bare: containsTerm('u.search_text'),
    fields: {
      username: equalsTerm('u.username'),
      fullname: containsTerm('lower(u.full_name)'),
      email: equalsTerm('u.email'),
      role: equalsTerm('u.role'),
      orgid: org,
      accountid: org,
    },
  };
}

export const USER_SORT: Record<string, string> = {
  username: 'lower(u.username)',
  fullname: 'lower(u.full_name)',
  created: 'u.created',
  modified: 'u.modified',
  role: 'u.role',
};

/** Fields of `community/groups`, over `groups g JOIN users u ON u.id = g.owner_id`. */
export function groupSearchSpec(orgId: string): SearchSpec {
  const org = constantTerm(orgId);
  return {
    bare: containsTerm('g.search_text'),
    fields: {
      id: idTerm('g.id'),
      title: containsTerm('lower(g.title)'),
      owner: equalsTerm('u.username'),
      tags: arrayHasTerm('g.tags_lower'),
      snippet: containsTerm('lower(g.snippet)'),
      description: containsTerm('lower(g.description)'),
      access: equalsTerm('g.access'),
      orgid: org,
      accountid: org,
    },
  };
}

export const GROUP_SORT: Record<string, string> = {
  title: 'lower(g.title)',
  owner: 'lower(u.username)',
  created: 'g.created',
  modified: 'g.modified',
};

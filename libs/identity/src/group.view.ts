import type { GroupEntity, MemberType } from '@app/db';

/** The group JSON of the sharing API; `memberType` (the caller's) adds `userMembership`, as the product does. */
export function groupView(g: GroupEntity, owner: string, orgId: string, membership?: { username: string; memberType: MemberType | 'none' }) {
  return {
    id: g.id,
    title: g.title,
    owner,
    orgId,
    access: g.access,
    tags: g.tags,
    description: g.description,
    snippet: g.snippet,
    isProtected: g.isProtected,
    isInvitationOnly: false,
    isViewOnly: false,
    created: g.created.getTime(),
    modified: g.modified.getTime(),
    ...(membership ? { userMembership: { username: membership.username, memberType: membership.memberType } } : {}),
  };
}

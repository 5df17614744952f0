/**
 * The seeds' catalogue of webhook trigger events ("Supported trigger events"), grouped as the product groups
 * them. `any`: events on every target of the kind (`/items/add`); `specific`: events on one picked target
 * (`/items/<itemID>/update`). The server validates URIs with the same tables (libs/webhooks/src/trigger-uris.ts).
 */
export type Kind = 'items' | 'groups' | 'users' | 'roles';

export interface TriggerGroup {
  kind: Kind;
  title: string;
  all: string;
  any: { op: string; label: string }[];
  specific?: { label: string; target: string; ops: { op: string; label: string }[] };
}

export const CATALOGUE: TriggerGroup[] = [
  {
    kind: 'items',
    title: 'Items',
    all: 'All trigger events for all items',
    any: [
      { op: 'add', label: 'An item is added to the portal' },
      { op: 'delete', label: 'Any item is deleted' },
      { op: 'update', label: 'Any item is updated' },
      { op: 'move', label: 'Any item is moved or its ownership is changed' },
      { op: 'publish', label: 'Any item is published' },
      { op: 'share', label: 'Any item is shared' },
      { op: 'unshare', label: 'Any item is unshared' },
      { op: 'reassign', label: 'The ownership of any item is reassigned' },
      { op: 'addComment', label: 'A comment is added to any item' },
      { op: 'deleteComment', label: 'A comment is deleted from any item' },
      { op: 'updateComment', label: 'A comment is updated on any item' },
    ],
    specific: {
      label: 'A specific item',
      target: 'item',
      ops: [
        { op: '', label: 'All trigger events for the item' },
        { op: 'delete', label: 'The item is deleted' },
        { op: 'update', label: "The item's properties are updated" },
        { op: 'move', label: 'The item is moved or its ownership changed' },
        { op: 'publish', label: 'The item is published' },
        { op: 'share', label: 'The item is shared' },
        { op: 'unshare', label: 'The item is unshared' },
        { op: 'reassign', label: 'The ownership of the item is reassigned' },
        { op: 'addComment', label: 'A comment is added to the item' },
        { op: 'deleteComment', label: 'A comment is deleted from the item' },
        { op: 'updateComment', label: 'A comment is updated on the item' },
      ],
    },
  },
  {
    kind: 'groups',
    title: 'Groups',
    all: 'All trigger events for all groups',
    any: [
      { op: 'add', label: 'A group is added' },
      { op: 'update', label: 'Any group is updated' },
      { op: 'delete', label: 'Any group is deleted' },
      { op: 'protect', label: 'Delete Protection is enabled for any group' },
      { op: 'unprotect', label: 'Delete Protection is disabled for any group' },
      { op: 'invite', label: 'A user is invited to any group' },
      { op: 'addUsers', label: 'A user is added to any group' },
      { op: 'removeUsers', label: 'A user is removed from any group' },
      { op: 'updateUsers', label: "A user's role is updated in any group" },
      { op: 'reassign', label: 'The ownership for any group is reassigned' },
      { op: 'itemShare', label: 'An item is shared to any group' },
      { op: 'itemUnshare', label: 'An item is unshared from any group' },
      { op: 'requestJoin', label: 'A user submits a request to join any group' },
    ],
    specific: {
      label: 'A specific group',
      target: 'group',
      ops: [
        { op: '', label: 'All trigger events for the group' },
        { op: 'update', label: 'The group is updated' },
        { op: 'delete', label: 'The group is deleted' },
        { op: 'protect', label: 'Delete Protection is enabled' },
        { op: 'unprotect', label: 'Delete Protection is disabled' },
        { op: 'invite', label: 'A user is invited to the group' },
        { op: 'addUsers', label: 'A user is added to the group' },
        { op: 'removeUsers', label: 'A user is removed from the group' },
        { op: 'updateUsers', label: "A user's role is updated in the group" },
        { op: 'reassign', label: 'The ownership of the group is reassigned' },
        { op: 'itemShare', label: 'An item is shared to the group' },
        { op: 'itemUnshare', label: 'An item is unshared from the group' },
        { op: 'requestJoin', label: 'A user requests to join the group' },
      ],
    },
  },
  {
    kind: 'users',
    title: 'Users',
    all: 'All trigger events for all users in the portal',
    any: [
      { op: 'add', label: 'A user is added to the organization' },
      { op: 'signin', label: 'Any user has signed in to the portal' },
      { op: 'signout', label: 'Any user has signed out of the portal' },
      { op: 'delete', label: 'Any user is deleted' },
      { op: 'update', label: "Any user's profile is updated" },
      { op: 'disable', label: "Any user's account is disabled" },
      { op: 'enable', label: "Any user's account is enabled" },
      { op: 'updateUserRole', label: 'Any user is assigned a new role' },
      { op: 'updateUserLicenseType', label: 'Any user is assigned a new user type' },
      { op: 'bulkEnable', label: 'A list of user accounts are enabled' },
      { op: 'bulkDisable', label: 'A list of user accounts are disabled' },
    ],
    specific: {
      label: 'A specific user',
      target: 'user',
      ops: [
        { op: '', label: 'All trigger events associated with the user' },
        { op: 'signIn', label: 'The user has signed in to the portal' },
        { op: 'signOut', label: 'The user has signed out of the portal' },
        { op: 'delete', label: 'The user is deleted' },
        { op: 'update', label: "The user's profile is updated" },
        { op: 'disable', label: "The user's account is disabled" },
        { op: 'enable', label: "The user's account is enabled" },
        { op: 'updateUserRole', label: 'The user is assigned a new role' },
        { op: 'updateUserLicenseType', label: 'The user is assigned a new user type' },
      ],
    },
  },
  {
    kind: 'roles',
    title: 'Roles',
    all: 'All trigger events for all roles in the portal',
    any: [
      { op: 'add', label: 'A new role is created' },
      { op: 'update', label: 'An existing role is updated' },
      { op: 'delete', label: 'An existing role is deleted' },
    ],
  },
];

export const uriOf = (kind: Kind, target?: string, op?: string) => `/${kind}${target ? `/${target}` : ''}${op ? `/${op}` : ''}`;

/** A URI in words, with a target's display name when known ("/items/<id>/update" → "Greeter: …updated"). */
export function describeTrigger(uri: string, names: Map<string, string> = new Map()): string {
  if (uri === '/') return 'All changes';
  const [, kind, second, third] = uri.split('/');
  const group = CATALOGUE.find((g) => g.kind === kind);
  if (!group) return uri;
  if (second === undefined) return group.all;
  const any = group.any.find((a) => a.op.toLowerCase() === second.toLowerCase());
  if (third === undefined && any) return any.label;
  const op = group.specific?.ops.find((o) => o.op.toLowerCase() === (third ?? '').toLowerCase());
  const who = names.get(second) ?? second;
  return `${who}: ${op?.label ?? third}`;
}

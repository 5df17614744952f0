/**
 * The seeds' "Supported trigger events" in words, grouped as the product groups them: what the Manager's webhook
 * form offers. The operations come from TRIGGER_TABLE, so the catalogue cannot offer a URI the server refuses.
 */
import type { EventSource } from '@app/db';
import { INACTIVE_OPERATIONS, TRIGGER_TABLE } from './trigger-uris';

type Collection = keyof typeof TRIGGER_TABLE;

interface Words {
  title: string;
  all: string;
  any: Record<string, string>;
  specific?: { label: string; target: string; all: string; ops: Record<string, string> };
}

const WORDS: Record<Collection, Words> = {
  items: {
    title: 'Items',
    all: 'All trigger events for all items',
    any: {
      add: 'An item is added to the portal',
      delete: 'Any item is deleted',
      update: 'Any item is updated',
      move: 'Any item is moved or its ownership is changed',
      publish: 'Any item is published',
      share: 'Any item is shared',
      unshare: 'Any item is unshared',
      reassign: 'The ownership of any item is reassigned',
      addComment: 'A comment is added to any item',
      deleteComment: 'A comment is deleted from any item',
      updateComment: 'A comment is updated on any item',
    },
    specific: {
      label: 'A specific item',
      target: 'item',
      all: 'All trigger events for the item',
      ops: {
        delete: 'The item is deleted',
        update: "The item's properties are updated",
        move: 'The item is moved or its ownership changed',
        publish: 'The item is published',
        share: 'The item is shared',
        unshare: 'The item is unshared',
        reassign: 'The ownership of the item is reassigned',
        addComment: 'A comment is added to the item',
        deleteComment: 'A comment is deleted from the item',
        updateComment: 'A comment is updated on the item',
      },
    },
  },
  groups: {
    title: 'Groups',
    all: 'All trigger events for all groups',
    any: {
      add: 'A group is added',
      update: 'Any group is updated',
      delete: 'Any group is deleted',
      protect: 'Delete Protection is enabled for any group',
      unprotect: 'Delete Protection is disabled for any group',
      invite: 'A user is invited to any group',
      addUsers: 'A user is added to any group',
      removeUsers: 'A user is removed from any group',
      updateUsers: "A user's role is updated in any group",
      reassign: 'The ownership for any group is reassigned',
      itemShare: 'An item is shared to any group',
      itemUnshare: 'An item is unshared from any group',
      requestJoin: 'A user submits a request to join any group',
    },
    specific: {
      label: 'A specific group',
      target: 'group',
      all: 'All trigger events for the group',
      ops: {
        update: 'The group is updated',
        delete: 'The group is deleted',
        protect: 'Delete Protection is enabled',
        unprotect: 'Delete Protection is disabled',
        invite: 'A user is invited to the group',
        addUsers: 'A user is added to the group',
        removeUsers: 'A user is removed from the group',
        updateUsers: "A user's role is updated in the group",
        reassign: 'The ownership of the group is reassigned',
        itemShare: 'An item is shared to the group',
        itemUnshare: 'An item is unshared from the group',
        requestJoin: 'A user requests to join the group',
      },
    },
  },
  users: {
    title: 'Users',
    all: 'All trigger events for all users in the portal',
    any: {
      add: 'A user is added to the organization',
      signIn: 'Any user has signed in to the portal',
      signOut: 'Any user has signed out of the portal',
      delete: 'Any user is deleted',
      update: "Any user's profile is updated",
      disable: "Any user's account is disabled",
      enable: "Any user's account is enabled",
      updateUserRole: 'Any user is assigned a new role',
      updateUserLicenseType: 'Any user is assigned a new user type',
      bulkEnable: 'A list of user accounts are enabled',
      bulkDisable: 'A list of user accounts are disabled',
    },
    specific: {
      label: 'A specific user',
      target: 'user',
      all: 'All trigger events associated with the user',
      ops: {
        signIn: 'The user has signed in to the portal',
        signOut: 'The user has signed out of the portal',
        delete: 'The user is deleted',
        update: "The user's profile is updated",
        disable: "The user's account is disabled",
        enable: "The user's account is enabled",
        updateUserRole: 'The user is assigned a new role',
        updateUserLicenseType: 'The user is assigned a new user type',
      },
    },
  },
  roles: {
    title: 'Roles',
    all: 'All trigger events for all roles in the portal',
    any: { add: 'A new role is created', update: 'An existing role is updated', delete: 'An existing role is deleted' },
  },
};

export interface TriggerOption {
  op: string;
  label: string;
  /** Why no operation of this server raises it (INACTIVE_OPERATIONS); absent when something does. */
  inactive?: string;
}

export interface TriggerGroup {
  kind: Collection;
  title: string;
  all: string;
  any: TriggerOption[];
  specific?: { label: string; target: string; all: string; ops: TriggerOption[] };
}

const optionsOf = (source: EventSource, ops: string[], words: Record<string, string>): TriggerOption[] =>
  ops.map((op) => {
    const inactive = INACTIVE_OPERATIONS[source]?.[op];
    return { op, label: words[op] ?? op, ...(inactive ? { inactive } : {}) };
  });

/** The catalogue, one group per collection of TRIGGER_TABLE. */
export const TRIGGER_CATALOGUE: TriggerGroup[] = (Object.keys(TRIGGER_TABLE) as Collection[]).map((kind) => {
  const table = TRIGGER_TABLE[kind];
  const words = WORDS[kind];
  return {
    kind,
    title: words.title,
    all: words.all,
    any: optionsOf(table.source, table.any, words.any),
    ...(table.specific && words.specific
      ? { specific: { label: words.specific.label, target: words.specific.target, all: words.specific.all, ops: optionsOf(table.source, table.specific, words.specific.ops) } }
      : {}),
  };
});

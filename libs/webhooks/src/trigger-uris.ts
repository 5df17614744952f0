/**
 * The trigger URIs of the seeds' tables ("Supported trigger events") and how an event matches one.
 * A URI is `/`, `/{source}`, `/{source}/{op}` (that operation on any target), `/{source}/{target}`
 * (every operation on one target) or `/{source}/{target}/{op}`. Operations compare case-insensitively
 * (`/users/signin` and `/users/<name>/signIn` both match the `signIn` event).
 */
import type { EventSource } from '@app/db';

type Collection = 'items' | 'groups' | 'users' | 'roles';

interface Table {
  source: EventSource;
  /** Operations of the "any target" rows: `/items/add`. */
  any: string[];
  /** Operations of the "specific target" rows: `/items/<itemID>/update`; absent when the table has none. */
  specific?: string[];
  /** What a `<itemID>`, `<groupID>` or `<username>` placeholder may be. */
  target?: RegExp;
}

const ITEM_OPS = ['delete', 'update', 'move', 'publish', 'share', 'unshare', 'reassign', 'addComment', 'deleteComment', 'updateComment'];
const GROUP_OPS = ['update', 'delete', 'protect', 'unprotect', 'invite', 'addUsers', 'removeUsers', 'updateUsers', 'reassign', 'itemShare', 'itemUnshare', 'requestJoin'];
const USER_OPS = ['signIn', 'signOut', 'delete', 'update', 'disable', 'enable', 'updateUserRole', 'updateUserLicenseType'];
const ID = /^[0-9a-f]{32}$/i;

export const TRIGGER_TABLE: Record<Collection, Table> = {
  items: { source: 'item', any: ['add', ...ITEM_OPS], specific: ITEM_OPS, target: ID },
  groups: { source: 'group', any: ['add', ...GROUP_OPS], specific: GROUP_OPS, target: ID },
  users: { source: 'user', any: ['add', ...USER_OPS, 'bulkEnable', 'bulkDisable'], specific: USER_OPS, target: /^[A-Za-z0-9_.@-]{1,128}$/ },
  roles: { source: 'role', any: ['add', 'update', 'delete'] },
};

/** A parsed trigger URI; absent fields match anything. */
export interface Trigger {
  source?: EventSource;
  target?: string;
  operation?: string;
}

/** What fan-out matches: the parts of a domain event the URIs name. */
export interface MatchableEvent {
  source: string;
  operation: string;
  targetId: string;
}

const has = (ops: string[], op: string) => ops.some((o) => o.toLowerCase() === op.toLowerCase());

/** Parses one URI; null when the seeds' tables have no such trigger. */
export function parseTrigger(uri: string): Trigger | null {
  const trimmed = uri.trim();
  if (trimmed === '/') return {};
  const parts = trimmed.replace(/\/+$/, '').split('/');
  if (parts[0] !== '' || parts.length < 2 || parts.length > 4 || parts.slice(1).some((p) => p === '')) return null;
  const table = TRIGGER_TABLE[parts[1].toLowerCase() as Collection];
  if (!table) return null;
  const [, , second, third] = parts;
  if (second === undefined) return { source: table.source };
  if (third === undefined) {
    // The fixed operation names win over a username that happens to spell one (`/users/add`).
    if (has(table.any, second)) return { source: table.source, operation: second };
    if (table.target?.test(second)) return { source: table.source, target: second };
    return null;
  }
  if (!table.specific || !table.target?.test(second) || !has(table.specific, third)) return null;
  return { source: table.source, target: second, operation: third };
}

/** The URIs the seeds' tables do not know, in the order given. */
export function unknownTriggers(uris: string[]): string[] {
  return uris.filter((u) => parseTrigger(u) === null);
}

export function matchesTrigger(t: Trigger, e: MatchableEvent): boolean {
  if (t.source && t.source !== e.source) return false;
  if (t.target && t.target.toLowerCase() !== e.targetId.toLowerCase()) return false;
  if (t.operation && t.operation.toLowerCase() !== e.operation.toLowerCase()) return false;
  return true;
}

/** True when any of the webhook's URIs matches the event. */
export function matchesAny(uris: string[], e: MatchableEvent): boolean {
  return uris.some((u) => {
    const t = parseTrigger(u);
    return t !== null && matchesTrigger(t, e);
  });
}

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

/**
 * Trigger operations that no operation of this server raises, and why. A webhook may subscribe to them (they are
 * in the seeds' tables, and an ingested event can carry them); create and update answers list them under
 * `inactiveEvents` so the administrator knows. Keep this list true: a test fires every other URI of the tables.
 */
export const INACTIVE_OPERATIONS: Partial<Record<EventSource, Record<string, string>>> = {
  item: {
    publish: 'This server hosts no services, so items are never published; only an ingested event can carry it.',
  },
};

export interface InactiveEvent {
  event: string;
  reason: string;
}

/**
 * The given URIs every operation of which is in INACTIVE_OPERATIONS (`/items/publish`; `/roles` while no role
 * operation exists), with the reason. A wildcard that also covers a live operation (`/items`) is not listed.
 */
export function inactiveTriggers(uris: string[]): InactiveEvent[] {
  return uris.flatMap((uri) => {
    const t = parseTrigger(uri);
    if (!t?.source) return [];
    const table = Object.values(TRIGGER_TABLE).find((x) => x.source === t.source)!;
    const ops = t.operation ? [t.operation] : t.target ? table.specific! : table.any;
    const inactive = INACTIVE_OPERATIONS[t.source] ?? {};
    const reasons = ops.map((op) => Object.entries(inactive).find(([name]) => name.toLowerCase() === op.toLowerCase())?.[1]);
    if (reasons.some((r) => r === undefined)) return [];
    return [{ event: uri, reason: [...new Set(reasons)].join(' ') }];
  });
}

/** Every URI of the seeds' tables, placeholders filled with the given ids (for tests and documentation). */
export function catalogue(ids: { item: string; group: string; username: string }): string[] {
  const target = { items: ids.item, groups: ids.group, users: ids.username, roles: '' } as const;
  return [
    '/',
    ...(Object.keys(TRIGGER_TABLE) as Collection[]).flatMap((c) => {
      const t = TRIGGER_TABLE[c];
      return [
        `/${c}`,
        ...t.any.map((op) => `/${c}/${op}`),
        ...(t.specific ? [`/${c}/${target[c]}`, ...t.specific.map((op) => `/${c}/${target[c]}/${op}`)] : []),
      ];
    }),
  ];
}

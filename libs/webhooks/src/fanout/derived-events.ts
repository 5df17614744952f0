import { createHash } from 'node:crypto';
import { DomainEventEntity } from '@app/db';

const GROUP_ID = /^[0-9a-f]{32}$/i;

/** A stable UUID for the event derived from `parentId` for `groupId`, so deriving twice stores it once. */
function derivedId(parentId: string, groupId: string): string {
  const h = createHash('sha1').update(`${parentId}:${groupId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The group side of sharing: an item `share` (`unshare`) event with groups in `sharedToGroups`
 * (`unsharedFromGroups`) is also, for each of those groups, a group `itemShare` (`itemUnshare`) event with
 * `sharedItems` (`unsharedItems`) as the seeds describe. Derived when the item event is fanned out, with ids
 * fixed by the item event's, so a second fan-out (the sweep) finds them stored already.
 */
export function groupEventsOf(e: DomainEventEntity, itemType: string): DomainEventEntity[] {
  if (e.source !== 'item' || (e.operation !== 'share' && e.operation !== 'unshare')) return [];
  const share = e.operation === 'share';
  const groups = ((e.properties?.[share ? 'sharedToGroups' : 'unsharedFromGroups'] as unknown[]) ?? []).filter((g): g is string => typeof g === 'string' && GROUP_ID.test(g));
  return groups.map((groupId) =>
    Object.assign(new DomainEventEntity(), {
      id: derivedId(e.id, groupId),
      source: 'group' as const,
      operation: share ? 'itemShare' : 'itemUnshare',
      targetId: groupId,
      username: e.username,
      userId: e.userId,
      occurredAt: e.occurredAt,
      properties: { [share ? 'sharedItems' : 'unsharedItems']: [{ itemId: e.targetId, itemType }] },
      origin: e.origin,
      ingestKey: null,
    }),
  );
}

import { DomainEventEntity } from '@app/db';
import { groupEventsOf } from './derived-events';

const G1 = 'a'.repeat(32);
const G2 = 'b'.repeat(32);
const ITEM = 'c'.repeat(32);
const event = (operation: string, properties: Record<string, unknown>) =>
  Object.assign(new DomainEventEntity(), { id: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9', source: 'item', operation, targetId: ITEM, username: 'admin', userId: 'u', occurredAt: new Date(1), properties, origin: 'local' });

describe('group events derived from item sharing', () => {
  it('a share to groups is an itemShare of each group (not of Everyone or Organization), with sharedItems', () => {
    const got = groupEventsOf(event('share', { sharedToGroups: ['Everyone', G1, G2] }), 'Notebook');
    expect(got.map((g) => [g.source, g.operation, g.targetId, g.properties])).toEqual([
      ['group', 'itemShare', G1, { sharedItems: [{ itemId: ITEM, itemType: 'Notebook' }] }],
      ['group', 'itemShare', G2, { sharedItems: [{ itemId: ITEM, itemType: 'Notebook' }] }],
    ]);
    expect(got[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Deterministic: deriving again gives the same ids.
    expect(groupEventsOf(event('share', { sharedToGroups: [G1] }), 'Notebook')[0].id).toBe(got[0].id);
  });

  it('an unshare is an itemUnshare with unsharedItems; other events derive nothing', () => {
    expect(groupEventsOf(event('unshare', { unsharedFromGroups: [G1] }), 'Notebook')[0]).toMatchObject({ operation: 'itemUnshare', properties: { unsharedItems: [{ itemId: ITEM, itemType: 'Notebook' }] } });
    expect(groupEventsOf(event('update', {}), 'Notebook')).toEqual([]);
    expect(groupEventsOf(event('share', { sharedToGroups: ['Organization'] }), 'Notebook')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { describeTrigger, TriggerGroup } from './triggers';

const CATALOGUE: TriggerGroup[] = [
  {
    kind: 'items',
    title: 'Items',
    all: 'All trigger events for all items',
    any: [{ op: 'add', label: 'An item is added to the portal' }],
    specific: { label: 'A specific item', target: 'item', all: 'All trigger events for the item', ops: [{ op: 'update', label: "The item's properties are updated" }] },
  },
];

describe('describeTrigger', () => {
  it('puts URIs in the catalogue’s words, with the target’s name', () => {
    const names = new Map([['b'.repeat(32), 'Report']]);
    expect(describeTrigger('/', CATALOGUE)).toBe('All changes');
    expect(describeTrigger('/items', CATALOGUE)).toBe('All trigger events for all items');
    expect(describeTrigger('/items/ADD', CATALOGUE)).toBe('An item is added to the portal');
    expect(describeTrigger(`/items/${'b'.repeat(32)}`, CATALOGUE, names)).toBe('Report: All trigger events for the item');
    expect(describeTrigger(`/items/${'b'.repeat(32)}/update`, CATALOGUE, names)).toBe("Report: The item's properties are updated");
    expect(describeTrigger('/groups/add', CATALOGUE)).toBe('/groups/add');
  });
});

import { TRIGGER_CATALOGUE } from './trigger-catalogue';
import { parseTrigger, TRIGGER_TABLE } from './trigger-uris';

describe('the trigger catalogue', () => {
  it('has words for every operation of the tables, and offers only URIs the server accepts', () => {
    for (const g of TRIGGER_CATALOGUE) {
      const table = TRIGGER_TABLE[g.kind];
      expect(g.any.map((o) => o.op)).toEqual(table.any);
      expect(g.specific?.ops.map((o) => o.op)).toEqual(table.specific);
      for (const o of [...g.any, ...(g.specific?.ops ?? [])]) expect(o.label).not.toBe(o.op);
      expect(parseTrigger(`/${g.kind}`)).not.toBeNull();
      for (const o of g.any) expect(parseTrigger(`/${g.kind}/${o.op}`)).not.toBeNull();
    }
  });

  it('says which events no operation here raises, and why', () => {
    const publish = TRIGGER_CATALOGUE.find((g) => g.kind === 'items')!.any.find((o) => o.op === 'publish')!;
    expect(publish.inactive).toMatch(/never published/);
    expect(TRIGGER_CATALOGUE.find((g) => g.kind === 'items')!.any.find((o) => o.op === 'add')!.inactive).toBeUndefined();
  });
});

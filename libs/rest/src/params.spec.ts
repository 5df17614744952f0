import { z } from 'zod';
import { DomainError } from './domain-error';
import { page, parseParams, zBool, zCsv, zInt, zJson } from './params';

describe('parameter parsing', () => {
  const schema = z.object({
    flag: zBool.optional(),
    n: zInt.optional(),
    cfg: zJson(z.object({ a: z.number() })).optional(),
    list: zCsv.optional(),
  });

  it('reads form strings as typed values', () => {
    expect(parseParams(schema, { flag: 'false', n: '12', cfg: '{"a":1}', list: 'x, y' })).toEqual({
      flag: false,
      n: 12,
      cfg: { a: 1 },
      list: ['x', 'y'],
    });
  });

  it("reads Python's True/False as booleans", () => {
    expect(parseParams(schema, { flag: 'True' })).toEqual({ flag: true });
    expect(parseParams(schema, { flag: 'False' })).toEqual({ flag: false });
  });

  it('accepts the same values from a JSON body', () => {
    expect(parseParams(schema, { flag: true, n: 3, cfg: { a: 2 }, list: ['z'] })).toEqual({
      flag: true,
      n: 3,
      cfg: { a: 2 },
      list: ['z'],
    });
  });

  it('names each bad field', () => {
    try {
      parseParams(schema, { flag: 'yes', cfg: '{oops' });
      fail('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).details).toEqual(['flag: must be true or false', 'cfg: must be valid JSON']);
    }
  });

  it('never quotes the value it refuses', () => {
    try {
      parseParams(z.object({ order: z.enum(['asc', 'desc']) }), { order: 'secret-token-value' });
      fail('expected an error');
    } catch (e) {
      expect((e as DomainError).details).toEqual(['order: must be one of asc, desc']);
      expect((e as DomainError).message).not.toContain('secret-token-value');
    }
  });

  it('pages with nextStart -1 on the last page', () => {
    expect(page({ total: 25, rows: new Array(10) }, 1, 10)).toEqual({ total: 25, start: 1, num: 10, nextStart: 11 });
    expect(page({ total: 25, rows: new Array(5) }, 21, 10)).toEqual({ total: 25, start: 21, num: 10, nextStart: -1 });
  });
});

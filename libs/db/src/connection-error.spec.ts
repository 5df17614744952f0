import { isDbUnavailable } from './connection-error';

describe('isDbUnavailable', () => {
  it('is true for a refused or dropped connection and for Postgres shutting down', () => {
    expect(isDbUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDbUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDbUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDbUnavailable({ message: 'x', driverError: { code: '08006' } })).toBe(true);
  });

  it('is false for a refused statement', () => {
    expect(isDbUnavailable(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))).toBe(false);
    expect(isDbUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDbUnavailable(null)).toBe(false);
  });
});

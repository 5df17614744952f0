import { CronSchedule } from './cron-schedule';
import { fireAfter, planFires } from './fire-plan';

const everySecond = CronSchedule.parse({ second: '*', minute: '*', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '?' });
const everyMinute = CronSchedule.parse({ minute: '*', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '?' });
const open = { startDate: null, endDate: null };
const t = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('planFires', () => {
  it('an on-time fire runs, nothing is missed, the next one is one step later', () => {
    const p = planFires(everySecond, open, t('2026-01-01T00:00:05Z'), t('2026-01-01T00:00:05.250Z'), 3600_000);
    expect(iso(p.run)).toBe('2026-01-01T00:00:05.000Z');
    expect(p.missed).toEqual([]);
    expect(iso(p.next)).toBe('2026-01-01T00:00:06.000Z');
  });

  it('after downtime within the grace window: the most recent fire runs once, older ones are missed', () => {
    const p = planFires(everyMinute, open, t('2026-01-01T00:01:00Z'), t('2026-01-01T00:05:30Z'), 3600_000);
    expect(iso(p.run)).toBe('2026-01-01T00:05:00.000Z');
    expect(p.missed.map(iso)).toEqual(['2026-01-01T00:04:00.000Z', '2026-01-01T00:03:00.000Z', '2026-01-01T00:02:00.000Z', '2026-01-01T00:01:00.000Z']);
    expect(iso(p.next)).toBe('2026-01-01T00:06:00.000Z');
  });

  it('beyond the grace window nothing runs; missed fires are capped', () => {
    const p = planFires(everyMinute, open, t('2026-01-01T00:00:00Z'), t('2026-01-01T03:00:59Z'), 10_000);
    expect(p.run).toBeNull();
    expect(p.missed).toHaveLength(100);
    expect(iso(p.missed[0])).toBe('2026-01-01T03:00:00.000Z');
    expect(iso(p.next)).toBe('2026-01-01T03:01:00.000Z');
  });

  it('the end date bounds fires', () => {
    const w = { startDate: null, endDate: t('2026-01-01T00:03:00Z') };
    const p = planFires(everyMinute, w, t('2026-01-01T00:03:00Z'), t('2026-01-01T00:03:00.1Z'), 0);
    expect(iso(p.run)).toBe('2026-01-01T00:03:00.000Z');
    expect(p.next).toBeNull();
  });

  it('fireAfter starts at the start date', () => {
    expect(iso(fireAfter(everyMinute, { startDate: t('2026-02-01T00:00:00Z'), endDate: null }, t('2026-01-01T00:00:00Z')))).toBe('2026-02-01T00:00:00.000Z');
  });
});

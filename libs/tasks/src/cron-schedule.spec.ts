import { CronFields, CronSchedule, CronScheduleError, daysOfMonth } from './cron-schedule';

const schedule = (f: Partial<CronFields>) =>
  CronSchedule.parse({ second: '0', minute: '0', hour: '0', dayOfMonth: '*', month: '*', dayOfWeek: '?', ...f });

/** The next `n` fires after `from`, as ISO strings. */
function fires(s: CronSchedule, from: string, n: number): string[] {
  const out: string[] = [];
  let d: Date | null = new Date(from);
  for (let i = 0; i < n && d; i++) {
    d = s.next(d);
    out.push(d ? d.toISOString() : 'none');
  }
  return out;
}

// 2026-01-01 is a Thursday.
describe('CronSchedule next fire', () => {
  it('seconds', () => {
    expect(fires(schedule({ second: '*/5', minute: '*', hour: '*' }), '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T00:00:05.000Z',
      '2026-01-01T00:00:10.000Z',
      '2026-01-01T00:00:15.000Z',
    ]);
  });

  it('without a second field fires at second 0, like the product', () => {
    const s = CronSchedule.parse({ minute: '*/1', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '?' });
    expect(fires(s, '2026-01-01T00:00:30Z', 2)).toEqual(['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z']);
    expect(s.intervalSeconds(new Date('2026-01-01T00:00:00Z'))).toBe(60);
  });

  it('L, L-n in dayOfMonth', () => {
    expect(fires(schedule({ dayOfMonth: 'L' }), '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-31T00:00:00.000Z',
      '2026-02-28T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
    ]);
    expect(fires(schedule({ dayOfMonth: 'L-2' }), '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-29T00:00:00.000Z', '2026-02-26T00:00:00.000Z']);
  });

  it('W: the nearest weekday, never in another month; LW the last weekday', () => {
    // 15 Jan is a Thursday; 15 Feb and 15 Mar are Sundays.
    expect(fires(schedule({ dayOfMonth: '15W' }), '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-15T00:00:00.000Z',
      '2026-02-16T00:00:00.000Z',
      '2026-03-16T00:00:00.000Z',
      '2026-04-15T00:00:00.000Z',
    ]);
    // 1 Aug 2026 is a Saturday: Monday the 3rd, not Friday 31 July.
    expect(fires(schedule({ dayOfMonth: '1W', month: 'AUG' }), '2026-01-01T00:00:00Z', 2)).toEqual(['2026-08-03T00:00:00.000Z', '2027-08-02T00:00:00.000Z']);
    // 31 Jan is a Saturday, 31 May a Sunday.
    expect(fires(schedule({ dayOfMonth: 'LW' }), '2026-01-01T00:00:00Z', 5)).toEqual([
      '2026-01-30T00:00:00.000Z',
      '2026-02-27T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
      '2026-04-30T00:00:00.000Z',
      '2026-05-29T00:00:00.000Z',
    ]);
    expect(daysOfMonth('31W', 2026, 5)).toEqual([29]);
    expect(daysOfMonth('31W', 2026, 4)).toEqual([]);
  });

  it('# and L in dayOfWeek', () => {
    expect(fires(schedule({ dayOfMonth: '?', dayOfWeek: 'MON#2' }), '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-12T00:00:00.000Z', '2026-02-09T00:00:00.000Z']);
    expect(fires(schedule({ dayOfMonth: '?', dayOfWeek: '1#2' }), '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-12T00:00:00.000Z']);
    expect(fires(schedule({ dayOfMonth: '?', dayOfWeek: '5L' }), '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-30T00:00:00.000Z', '2026-02-27T00:00:00.000Z']);
    // L alone: the last day of the week, Saturday.
    expect(fires(schedule({ dayOfMonth: '?', dayOfWeek: 'L' }), '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-10T00:00:00.000Z']);
  });

  it('names, 0 and 7 for Sunday, ? and lists', () => {
    const sundays = ['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z'];
    expect(fires(schedule({ dayOfMonth: '*', dayOfWeek: 'SUN', month: 'JAN-MAR' }), '2026-01-01T00:00:00Z', 2)).toEqual(sundays);
    expect(fires(schedule({ dayOfMonth: '*', dayOfWeek: '0' }), '2026-01-01T00:00:00Z', 2)).toEqual(sundays);
    expect(fires(schedule({ dayOfMonth: '*', dayOfWeek: '7' }), '2026-01-01T00:00:00Z', 2)).toEqual(sundays);
    expect(fires(schedule({ dayOfMonth: '?', dayOfWeek: 'mon-fri', hour: '12' }), '2026-01-02T12:00:00Z', 1)).toEqual(['2026-01-05T12:00:00.000Z']);
    expect(fires(schedule({ dayOfMonth: '1,15', month: 'dec' }), '2026-01-01T00:00:00Z', 2)).toEqual(['2026-12-01T00:00:00.000Z', '2026-12-15T00:00:00.000Z']);
  });

  describe('daylight saving in America/New_York', () => {
    const ny = (f: Partial<CronFields>) => schedule({ timeZone: 'America/New_York', ...f });

    it('a daily 09:00 stays 09:00 local across both changes', () => {
      expect(fires(ny({ hour: '9' }), '2026-03-07T00:00:00Z', 2)).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z']);
      expect(fires(ny({ hour: '9' }), '2026-10-31T00:00:00Z', 2)).toEqual(['2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z']);
    });

    it('2026-03-08: 02:30 does not exist, the daily fire runs an hour later that day (03:30 EDT)', () => {
      expect(fires(ny({ hour: '2', minute: '30' }), '2026-03-07T00:00:00Z', 3)).toEqual([
        '2026-03-07T07:30:00.000Z',
        '2026-03-08T07:30:00.000Z',
        '2026-03-09T06:30:00.000Z',
      ]);
      // Hourly at :30 keeps one fire per real hour through the gap.
      expect(fires(ny({ hour: '*', minute: '30' }), '2026-03-08T05:00:00Z', 3)).toEqual([
        '2026-03-08T05:30:00.000Z',
        '2026-03-08T06:30:00.000Z',
        '2026-03-08T07:30:00.000Z',
      ]);
    });

    it('2026-11-01: 01:30 happens twice, the daily fire runs once (the first, EDT)', () => {
      expect(fires(ny({ hour: '1', minute: '30' }), '2026-10-31T00:00:00Z', 3)).toEqual([
        '2026-10-31T05:30:00.000Z',
        '2026-11-01T05:30:00.000Z',
        '2026-11-02T06:30:00.000Z',
      ]);
    });

    it('W days are calendar days of the zone', () => {
      expect(fires(ny({ dayOfMonth: '1W,15W' }), '2026-01-01T00:00:00Z', 3)).toEqual([
        '2026-01-01T05:00:00.000Z',
        '2026-01-15T05:00:00.000Z',
        '2026-02-02T05:00:00.000Z',
      ]);
    });
  });

  it('previous(): the last fire at or before a time', () => {
    const s = schedule({ second: '*/5', minute: '*', hour: '*' });
    expect(s.previous(new Date('2026-01-01T00:00:07.500Z'))?.toISOString()).toBe('2026-01-01T00:00:05.000Z');
    expect(s.previous(new Date('2026-01-01T00:00:05Z'))?.toISOString()).toBe('2026-01-01T00:00:05.000Z');
    expect(schedule({ dayOfMonth: 'LW' }).previous(new Date('2026-06-10T00:00:00Z'))?.toISOString()).toBe('2026-05-29T00:00:00.000Z');
  });
});

describe('CronSchedule validation names the field', () => {
  it.each<[Partial<CronFields>, string, RegExp]>([
    [{ minute: '61' }, 'minute', /61/],
    [{ second: '60' }, 'second', /60/],
    [{ minute: 'H' }, 'minute', /does not allow/],
    [{ hour: '' }, 'hour', /required/],
    [{ month: '13' }, 'month', /13/],
    [{ dayOfWeek: 'FOO' }, 'dayOfWeek', /FOO/],
    [{ dayOfWeek: '2#6' }, 'dayOfWeek', /#/],
    [{ dayOfMonth: '32W' }, 'dayOfMonth', /32/],
    [{ dayOfMonth: 'W' }, 'dayOfMonth', /W/],
    [{ dayOfMonth: '30', month: 'FEB' }, 'dayOfMonth', /day of month/],
    [{ dayOfMonth: '15W', dayOfWeek: 'MON' }, 'dayOfWeek', /must be \?/],
    [{ month: '?' }, 'month', /does not allow/],
    [{ timeZone: 'Mars/Olympus' }, 'timeZone', /IANA/],
  ])('%j → %s', (f, field, message) => {
    let err: unknown;
    try {
      schedule(f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CronScheduleError);
    expect((err as CronScheduleError).field).toBe(field);
    expect((err as CronScheduleError).message).toMatch(message);
  });
});

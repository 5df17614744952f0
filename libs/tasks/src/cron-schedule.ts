import { CronExpression, CronExpressionParser } from 'cron-parser';
import type { TaskCron } from '@app/db';

/** A task's schedule as the API takes it: the five product fields, plus `second` and `timeZone` (our additions). */
export type CronFields = TaskCron;

export type CronFieldName = keyof CronFields;

/** An invalid schedule; `field` names the parameter to fix. */
export class CronScheduleError extends Error {
  constructor(
    readonly field: CronFieldName,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

// What each field may contain (the reference's character table); letters are checked against names below.
const ALLOWED: Record<Exclude<CronFieldName, 'timeZone'>, RegExp> = {
  second: /^[0-9*,\-/]+$/,
  minute: /^[0-9*,\-/]+$/,
  hour: /^[0-9*,\-/]+$/,
  dayOfMonth: /^([0-9*,\-/LW]+|\?)$/,
  month: /^[0-9A-Z*,\-/]+$/,
  dayOfWeek: /^([0-9A-Z*,\-/#]+|\?)$/,
};

// Day-of-month items cron-parser lacks (W, LW, L-n): those schedules are evaluated month by month here.
const DOM_ITEM = /^(LW|L(-\d{1,2})?|\d{1,2}W|\*|\d{1,2}(-\d{1,2})?(\/\d{1,2})?|\*\/\d{1,2})$/;
const needsOwnDayOfMonth = (dom: string) => /W|L-/.test(dom);

const MAX_MONTHS_AHEAD = 12 * 30;
/** Distinct schedules kept parsed (oldest dropped first). */
const PARSED_CACHE_SIZE = 1000;

/**
 * A validated schedule that computes fire times. Built on cron-parser (seconds, names, `L`, `#`, `?`, time zones and
 * daylight saving); `W`, `LW` and `L-n` in dayOfMonth are resolved here into concrete days, one month at a time.
 */
export class CronSchedule {
  private constructor(
    readonly fields: CronFields,
    private readonly tz: string,
    private readonly second: string,
    private readonly dayOfWeek: string,
    private readonly months: number[],
  ) {}

  /** The parsed expression, reused for every step (parsing costs several times a step); not for W / L-n schedules. */
  private compiled?: CronExpression;

  /** Parsed schedules by their fields: listings and scheduler ticks parse the same few schedules again and again. */
  private static readonly parsed = new Map<string, CronSchedule>();

  /** Validates the fields (a CronScheduleError names the bad one) and builds the schedule; immutable, so cached. */
  static parse(input: CronFields): CronSchedule {
    const key = JSON.stringify(input);
    const hit = CronSchedule.parsed.get(key);
    if (hit) return hit;
    const s = CronSchedule.build(input);
    if (CronSchedule.parsed.size >= PARSED_CACHE_SIZE) CronSchedule.parsed.delete(CronSchedule.parsed.keys().next().value!);
    CronSchedule.parsed.set(key, s);
    return s;
  }

  private static build(input: CronFields): CronSchedule {
    const f = normalise(input);
    const tz = f.timeZone ?? 'UTC';
    if (!isTimeZone(tz)) throw new CronScheduleError('timeZone', `'${tz}' is not an IANA time zone (e.g. UTC, America/New_York)`);
    for (const name of ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const) checkChars(name, f[name] ?? '0');
    // Standalone L in dayOfWeek is the last day of the week, Saturday (as in Quartz).
    const dayOfWeek = f.dayOfWeek === 'L' ? '6' : f.dayOfWeek;
    const second = f.second ?? '0';
    // Each field alone, so that an error names the field it is in.
    probe('second', `${second} * * * * *`);
    probe('minute', `0 ${f.minute} * * * *`);
    probe('hour', `0 0 ${f.hour} * * *`);
    probe('month', `0 0 0 * ${f.month} *`);
    probe('dayOfWeek', `0 0 0 * * ${dayOfWeek}`);
    if (needsOwnDayOfMonth(f.dayOfMonth)) {
      for (const item of f.dayOfMonth.split(',')) {
        if (!DOM_ITEM.test(item)) throw new CronScheduleError('dayOfMonth', `'${item}' is not a valid day-of-month item`);
        for (const n of item.match(/\d+/g) ?? []) {
          if (!item.startsWith('L') && !item.includes('/') && (Number(n) < 1 || Number(n) > 31)) {
            throw new CronScheduleError('dayOfMonth', `${n} is outside 1-31`);
          }
        }
      }
      if (!['?', '*'].includes(dayOfWeek)) {
        throw new CronScheduleError('dayOfWeek', `must be ? when dayOfMonth uses W or L-n (got '${dayOfWeek}')`);
      }
    } else {
      probe('dayOfMonth', `0 0 0 ${f.dayOfMonth} * ?`);
    }
    const months = (probe('month', `0 0 0 * ${f.month} *`).fields.month.values as number[]).slice();
    const s = new CronSchedule(f, tz, second, dayOfWeek, months);
    // The whole expression: catches combinations no single field shows (e.g. 30 February only).
    try {
      if (!needsOwnDayOfMonth(f.dayOfMonth)) s.expression(s.fields.dayOfMonth, s.fields.month, new Date(0));
    } catch (e) {
      throw new CronScheduleError('dayOfMonth', (e as Error).message);
    }
    return s;
  }

  get timeZone(): string {
    return this.tz;
  }

  /** The first fire strictly after `after`, or null if there is none in the next 30 years. */
  next(after: Date): Date | null {
    return this.step(after, 'next');
  }

  /** The last fire at or before `at`, or null. */
  previous(at: Date): Date | null {
    return this.step(new Date(at.getTime() + 1), 'prev');
  }

  /** Seconds between the two fires after `from` (what the product reports as runIntervalSeconds). */
  intervalSeconds(from: Date): number | null {
    const a = this.next(from);
    const b = a && this.next(a);
    return a && b ? Math.round((b.getTime() - a.getTime()) / 1000) : null;
  }

  private step(from: Date, dir: 'next' | 'prev'): Date | null {
    const f = this.fields;
    try {
      if (!needsOwnDayOfMonth(f.dayOfMonth)) {
        const e = (this.compiled ??= this.expression(f.dayOfMonth, f.month, from));
        e.reset(from);
        return dir === 'next' ? e.next().toDate() : e.prev().toDate();
      }
      // Month by month: turn W / LW / L-n into that month's concrete days and let cron-parser do the times.
      let { year, month } = localYearMonth(from, this.tz);
      for (let i = 0; i < MAX_MONTHS_AHEAD; i++) {
        const days = this.months.includes(month) ? daysOfMonth(f.dayOfMonth, year, month) : [];
        if (days.length) {
          const e = this.expression(days.join(','), String(month), from);
          const d = (dir === 'next' ? e.next() : e.prev()).toDate();
          const at = localYearMonth(d, this.tz);
          if (at.year === year && at.month === month) return d;
        }
        ({ year, month } = dir === 'next' ? (month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 }) : month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 });
      }
      return null;
    } catch {
      return null; // no fire in cron-parser's search range
    }
  }

  private expression(dayOfMonth: string, month: string, currentDate: Date): CronExpression {
    const f = this.fields;
    const dow = needsOwnDayOfMonth(f.dayOfMonth) ? '*' : this.dayOfWeek;
    return CronExpressionParser.parse(`${this.second} ${f.minute} ${f.hour} ${dayOfMonth} ${month} ${dow}`, { currentDate, tz: this.tz });
  }
}

function normalise(f: CronFields): CronFields {
  const t = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v).trim().toUpperCase());
  return {
    second: t(f.second),
    minute: t(f.minute) ?? '',
    hour: t(f.hour) ?? '',
    dayOfMonth: t(f.dayOfMonth) ?? '',
    month: t(f.month) ?? '',
    dayOfWeek: t(f.dayOfWeek) ?? '',
    timeZone: f.timeZone === undefined || f.timeZone === '' ? undefined : String(f.timeZone).trim(),
  };
}

function checkChars(field: Exclude<CronFieldName, 'timeZone'>, value: string): void {
  if (!value) throw new CronScheduleError(field, 'is required');
  if (!ALLOWED[field].test(value)) throw new CronScheduleError(field, `'${value}' has characters this field does not allow`);
  const names = field === 'month' ? MONTHS : field === 'dayOfWeek' ? [...DAYS, 'L'] : field === 'dayOfMonth' ? ['L', 'W', 'LW'] : [];
  for (const word of value.match(/[A-Z]+/g) ?? []) {
    if (!names.includes(word)) {
      throw new CronScheduleError(field, `'${word}' is not a name this field knows`);
    }
  }
}

function probe(field: CronFieldName, expr: string): CronExpression {
  try {
    return CronExpressionParser.parse(expr, { tz: 'UTC', currentDate: new Date(0) });
  } catch (e) {
    throw new CronScheduleError(field, (e as Error).message);
  }
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function localYearMonth(d: Date, tz: string): { year: number; month: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'numeric' }).formatToParts(d);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { year: get('year'), month: get('month') };
}

/** The days of one month a day-of-month field selects, W and L forms included (Quartz semantics). */
export function daysOfMonth(field: string, year: number, month: number): number[] {
  const dim = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const dow = (d: number) => new Date(Date.UTC(year, month - 1, d)).getUTCDay();
  const out = new Set<number>();
  for (const item of field.split(',')) {
    let m: RegExpMatchArray | null;
    if (item === 'L') out.add(dim);
    else if (item === 'LW') out.add(dow(dim) === 6 ? dim - 1 : dow(dim) === 0 ? dim - 2 : dim);
    else if ((m = item.match(/^L-(\d+)$/))) {
      if (dim - Number(m[1]) >= 1) out.add(dim - Number(m[1]));
    } else if ((m = item.match(/^(\d+)W$/))) {
      // The weekday nearest to day n, never crossing into another month.
      const n = Number(m[1]);
      if (n > dim) continue;
      const w = dow(n);
      if (w === 6) out.add(n === 1 ? 3 : n - 1);
      else if (w === 0) out.add(n === dim ? n - 2 : n + 1);
      else out.add(n);
    } else {
      const [range, stepText] = item.split('/');
      const step = stepText ? Number(stepText) : 1;
      const [lo, hi] = range === '*' ? [1, dim] : range.includes('-') ? range.split('-').map(Number) : [Number(range), stepText ? dim : Number(range)];
      for (let d = lo; d <= Math.min(hi, dim); d += step) out.add(d);
    }
  }
  return [...out].sort((a, b) => a - b);
}

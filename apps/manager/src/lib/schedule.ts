import type { CronFields } from '../api/types';

export type Preset = 'once' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'custom';

export const PRESETS: { value: Preset; label: string }[] = [
  { value: 'once', label: 'Once' },
  { value: 'hourly', label: 'Hourly' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
  { value: 'monthly', label: 'Monthly' },
  { value: 'custom', label: 'Custom (cron fields)' },
];

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_NAMES: Record<string, number> = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };

/** What the preset controls hold: a time of day, a minute past the hour, a weekday, a day of the month, a date. */
export interface PresetValues {
  time: string; // HH:MM
  minute: number;
  weekday: number; // 0 = Sunday
  dayOfMonth: number;
  date: string; // YYYY-MM-DD (once)
}

export const defaultPresetValues = (): PresetValues => ({ time: '06:00', minute: 0, weekday: 1, dayOfMonth: 1, date: new Date().toISOString().slice(0, 10) });

/** The cron fields a preset stands for. `once` also needs maxOccurrences = 1 (the form sets it). */
export function cronOfPreset(preset: Exclude<Preset, 'custom'>, v: PresetValues): Omit<CronFields, 'timeZone'> {
  const [h, m] = v.time.split(':').map((x) => String(Number(x)));
  switch (preset) {
    case 'hourly':
      return { second: '0', minute: String(v.minute), hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '?' };
    case 'daily':
      return { second: '0', minute: m, hour: h, dayOfMonth: '*', month: '*', dayOfWeek: '?' };
    case 'weekly':
      return { second: '0', minute: m, hour: h, dayOfMonth: '?', month: '*', dayOfWeek: String(v.weekday) };
    case 'monthly':
      return { second: '0', minute: m, hour: h, dayOfMonth: String(v.dayOfMonth), month: '*', dayOfWeek: '?' };
    case 'once': {
      const [, month, day] = v.date.split('-').map(Number);
      return { second: '0', minute: m, hour: h, dayOfMonth: String(day), month: String(month), dayOfWeek: '?' };
    }
  }
}

const isNum = (s: string | undefined) => s !== undefined && /^\d+$/.test(s);
const anyDay = (s: string) => s === '*' || s === '?';
const pad = (n: string | number) => String(n).padStart(2, '0');
const every = (n: string, unit: string) => (n === '1' ? `Every ${unit}` : `Every ${n} ${unit}s`);

function weekdayName(s: string): string | null {
  const up = s.toUpperCase();
  const n = up in DAY_NAMES ? DAY_NAMES[up] : isNum(up) ? Number(up) % 7 : null;
  return n === null ? null : WEEKDAYS[n];
}

/** A schedule in words ("Every day at 06:00 (Europe/Lisbon)"); "Custom schedule" when no phrase fits. */
export function describeSchedule(c: CronFields, opts: { once?: boolean } = {}): string {
  const sec = c.second ?? '0';
  const { minute, hour, dayOfMonth: dom, month, dayOfWeek: dow } = c;
  const tz = ` (${c.timeZone || 'UTC'})`;
  const allDays = anyDay(dom) && month === '*' && anyDay(dow);
  const at = isNum(hour) && isNum(minute) && isNum(sec) ? `${pad(hour)}:${pad(minute)}${sec !== '0' ? `:${pad(sec)}` : ''}` : null;

  let text: string | null = null;
  const step = (f: string) => /^\*\/(\d+)$/.exec(f)?.[1] ?? (f === '*' ? '1' : null);
  if (allDays && hour === '*' && minute === '*' && step(sec)) text = every(step(sec)!, 'second');
  else if (allDays && hour === '*' && step(minute) && isNum(sec)) text = every(step(minute)!, 'minute');
  else if (allDays && step(hour) && isNum(minute) && isNum(sec)) {
    text = hour === '*' ? `Every hour at minute ${minute}` : `${every(step(hour)!, 'hour')} at minute ${minute}`;
  } else if (at && allDays) text = `Every day at ${at}`;
  else if (at && anyDay(dom) && month === '*' && dow.split(',').every((d) => weekdayName(d))) {
    text = `Every ${dow.split(',').map((d) => weekdayName(d)).join(', ')} at ${at}`;
  } else if (at && isNum(dom) && month === '*' && anyDay(dow)) text = `Every month on day ${dom} at ${at}`;
  else if (at && dom === 'L' && month === '*' && anyDay(dow)) text = `Every month on the last day at ${at}`;
  else if (at && isNum(dom) && isNum(month) && anyDay(dow)) {
    text = `${opts.once ? 'Once' : 'Every year'} on ${dom} ${MONTHS[Number(month) - 1] ?? month} at ${at}`;
  }
  return (text ?? 'Custom schedule') + tz;
}

/** The raw fields as one line: `second minute hour dayOfMonth month dayOfWeek`. */
export const cronLine = (c: CronFields) => [c.second ?? '0', c.minute, c.hour, c.dayOfMonth, c.month, c.dayOfWeek].join(' ');

/** Which preset (and its values) a stored schedule is, so the edit form opens on it. */
export function presetOf(c: CronFields, maxOccurrences: number | null): { preset: Preset; values: PresetValues } {
  const v = defaultPresetValues();
  const sec = c.second ?? '0';
  if (sec !== '0' || !isNum(c.minute)) return { preset: 'custom', values: v };
  v.minute = Number(c.minute);
  if (c.hour === '*' && anyDay(c.dayOfMonth) && c.month === '*' && anyDay(c.dayOfWeek)) return { preset: 'hourly', values: v };
  if (!isNum(c.hour)) return { preset: 'custom', values: v };
  v.time = `${pad(c.hour)}:${pad(c.minute)}`;
  if (c.dayOfMonth === '*' && c.month === '*' && anyDay(c.dayOfWeek)) return { preset: 'daily', values: v };
  if (anyDay(c.dayOfMonth) && c.month === '*' && isNum(c.dayOfWeek)) return { preset: 'weekly', values: { ...v, weekday: Number(c.dayOfWeek) % 7 } };
  if (isNum(c.dayOfMonth) && c.month === '*' && anyDay(c.dayOfWeek)) return { preset: 'monthly', values: { ...v, dayOfMonth: Number(c.dayOfMonth) } };
  if (isNum(c.dayOfMonth) && isNum(c.month) && anyDay(c.dayOfWeek) && maxOccurrences === 1) {
    const year = new Date().getFullYear();
    return { preset: 'once', values: { ...v, date: `${year}-${pad(c.month)}-${pad(c.dayOfMonth)}` } };
  }
  return { preset: 'custom', values: v };
}

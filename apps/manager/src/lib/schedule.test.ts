import { describe, expect, it } from 'vitest';
import { cronLine, cronOfPreset, defaultPresetValues, describeSchedule, presetOf } from './schedule';

const c = (second: string, minute: string, hour: string, dayOfMonth: string, month: string, dayOfWeek: string, timeZone?: string) => ({ second, minute, hour, dayOfMonth, month, dayOfWeek, timeZone });

describe('describeSchedule', () => {
  it.each([
    [c('0', '0', '6', '*', '*', '?', 'Europe/Lisbon'), 'Every day at 06:00 (Europe/Lisbon)'],
    [c('*/10', '*', '*', '*', '*', '?'), 'Every 10 seconds (UTC)'],
    [c('*', '*', '*', '*', '*', '?'), 'Every second (UTC)'],
    [c('0', '*/15', '*', '*', '*', '?'), 'Every 15 minutes (UTC)'],
    [c('0', '30', '*', '*', '*', '?'), 'Every hour at minute 30 (UTC)'],
    [c('0', '0', '*/2', '*', '*', '?'), 'Every 2 hours at minute 0 (UTC)'],
    [c('0', '5', '9', '?', '*', 'MON,FRI'), 'Every Monday, Friday at 09:05 (UTC)'],
    [c('0', '0', '18', '?', '*', '0'), 'Every Sunday at 18:00 (UTC)'],
    [c('0', '0', '1', '15', '*', '?'), 'Every month on day 15 at 01:00 (UTC)'],
    [c('0', '0', '1', 'L', '*', '?'), 'Every month on the last day at 01:00 (UTC)'],
    [c('30', '0', '12', '25', '12', '?'), 'Every year on 25 December at 12:00:30 (UTC)'],
    [c('0', '0', '9', '1-7', '*', 'MON'), 'Custom schedule (UTC)'],
  ])('%j → %s', (cron, words) => {
    expect(describeSchedule(cron)).toBe(words);
  });

  it('says Once for a one-off date', () => {
    expect(describeSchedule(c('0', '0', '8', '3', '5', '?', 'UTC'), { once: true })).toBe('Once on 3 May at 08:00 (UTC)');
  });

  it('shows the raw fields in order, second first', () => {
    expect(cronLine({ minute: '0', hour: '6', dayOfMonth: '*', month: '*', dayOfWeek: '?' })).toBe('0 0 6 * * ?');
  });
});

describe('presets', () => {
  const v = { ...defaultPresetValues(), time: '07:45', minute: 20, weekday: 3, dayOfMonth: 12, date: '2026-06-09' };

  it('become cron fields', () => {
    expect(cronOfPreset('hourly', v)).toEqual({ second: '0', minute: '20', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '?' });
    expect(cronOfPreset('daily', v)).toEqual({ second: '0', minute: '45', hour: '7', dayOfMonth: '*', month: '*', dayOfWeek: '?' });
    expect(cronOfPreset('weekly', v)).toEqual({ second: '0', minute: '45', hour: '7', dayOfMonth: '?', month: '*', dayOfWeek: '3' });
    expect(cronOfPreset('monthly', v)).toEqual({ second: '0', minute: '45', hour: '7', dayOfMonth: '12', month: '*', dayOfWeek: '?' });
    expect(cronOfPreset('once', v)).toEqual({ second: '0', minute: '45', hour: '7', dayOfMonth: '9', month: '6', dayOfWeek: '?' });
  });

  it('are recognised again when a stored task is edited', () => {
    for (const preset of ['hourly', 'daily', 'weekly', 'monthly'] as const) {
      expect(presetOf(cronOfPreset(preset, v), null).preset).toBe(preset);
    }
    expect(presetOf(cronOfPreset('once', v), 1)).toMatchObject({ preset: 'once', values: { time: '07:45' } });
    expect(presetOf(cronOfPreset('weekly', v), null).values.weekday).toBe(3);
    expect(presetOf(c('*/10', '*', '*', '*', '*', '?'), null).preset).toBe('custom');
  });
});

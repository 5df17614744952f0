import { DEFAULT_SETTINGS } from '../settings.service';
import { delayAfter, EXPONENTIAL_SCHEDULE_SECONDS, retryPlan } from './retry-schedule';

const policy = { deactivationPolicy: { numberOfFailures: 5, daysInPast: 5 } };

describe('retryPlan', () => {
  it('follows the settings by default: notificationAttempts, a fixed pause', () => {
    expect(retryPlan(policy, DEFAULT_SETTINGS)).toEqual({ maxAttempts: 3, delays: [30, 30] });
    expect(retryPlan(policy, { ...DEFAULT_SETTINGS, notificationAttempts: 0 })).toEqual({ maxAttempts: 1, delays: [] });
  });

  it('a webhook\'s retrySchedule replaces attempts and pauses', () => {
    expect(retryPlan({ ...policy, retrySchedule: [5, 60, 3600] }, DEFAULT_SETTINGS)).toEqual({ maxAttempts: 4, delays: [5, 60, 3600] });
    expect(retryPlan({ ...policy, retrySchedule: 'exponential' }, DEFAULT_SETTINGS)).toEqual({ maxAttempts: 7, delays: EXPONENTIAL_SCHEDULE_SECONDS });
  });

  it('delayAfter reads the plan, with a fallback for old rows', () => {
    expect(delayAfter([5, 300], 2, 30)).toBe(300);
    expect(delayAfter(null, 1, 30)).toBe(30);
  });
});

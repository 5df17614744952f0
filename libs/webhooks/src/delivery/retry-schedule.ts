import type { WebhookConfig } from '@app/db';
import { attemptsOf, WebhookSettings } from '../settings.service';

/** Svix's and Stripe's shape of a long horizon: 5 s, 5 min, 30 min, 2 h, 8 h, 24 h (7 attempts over ~35 h). */
export const EXPONENTIAL_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 28800, 86400];
export const MAX_SCHEDULE_STEPS = 20;
export const MAX_SCHEDULE_STEP_SECONDS = 7 * 86400;

/** The attempts of one delivery and the pauses between them (seconds; one fewer than attempts). */
export interface RetryPlan {
  maxAttempts: number;
  delays: number[];
}

/**
 * Fixed when a delivery is made. By default the site's settings (`notificationAttempts`, a fixed
 * `notificationElapsedTimeInSeconds` between them, as the product has it); a webhook's `config.retrySchedule`
 * (ours: a list of pauses in seconds, or `"exponential"`) replaces both for that webhook.
 */
export function retryPlan(config: WebhookConfig, settings: WebhookSettings): RetryPlan {
  const schedule = scheduleOf(config.retrySchedule);
  if (schedule) return { maxAttempts: schedule.length + 1, delays: schedule };
  return sitePlan(settings);
}

/** The site's plan: `notificationAttempts`, `notificationElapsedTimeInSeconds` apart (also URL notifications'). */
export function sitePlan(settings: WebhookSettings): RetryPlan {
  const maxAttempts = attemptsOf(settings);
  return { maxAttempts, delays: Array.from({ length: maxAttempts - 1 }, () => settings.notificationElapsedTimeInSeconds) };
}

export function scheduleOf(value: unknown): number[] | null {
  if (value === 'exponential') return [...EXPONENTIAL_SCHEDULE_SECONDS];
  return Array.isArray(value) && value.length ? (value as number[]) : null;
}

/** The pause after attempt `attempt` (1-based); rows from before schedules existed fall back to `fallbackSeconds`. */
export function delayAfter(delays: number[] | null, attempt: number, fallbackSeconds: number): number {
  return delays?.[attempt - 1] ?? fallbackSeconds;
}

import type { NotificationEvent, NotificationTargets } from '@app/db';
import { isEmailTarget } from '@app/execution';

/** What the notifier knows of a finished task run when it decides whom to tell. */
export interface OutcomeFacts {
  status: 'succeeded' | 'failed' | 'submitfailed';
  /** A later attempt retries it: not the fire's outcome yet. */
  retried: boolean;
  /** The outcome of the task's previous fire (its last attempt), if any. */
  previous: 'succeeded' | 'failed' | 'submitfailed' | null;
  /** The task is disabled and no later outcome exists: this one disabled it. */
  disabledByThis: boolean;
}

/** The events of one outcome, in the order they are sent. */
export function eventsOf(f: OutcomeFacts): NotificationEvent[] {
  if (f.retried) return [];
  if (f.status === 'succeeded') return f.previous && f.previous !== 'succeeded' ? ['success', 'recovery'] : ['success'];
  return f.disabledByThis ? ['failure', 'disabled'] : ['failure'];
}

const KEY: Record<NotificationEvent, keyof NotificationTargets> = {
  failure: 'onFailure',
  success: 'onSuccess',
  disabled: 'onDisabled',
  recovery: 'onRecovery',
};

/** Who hears of `event`: the task's list when it has one for the event, else the owner's e-mail if the site says so. */
export function recipientsOf(
  event: NotificationEvent,
  targets: NotificationTargets | null,
  ownerEmail: string | null,
  ownerOn: NotificationEvent[],
): { emails: string[]; urls: string[] } {
  const listed = targets?.[KEY[event]];
  const all = listed ?? (ownerOn.includes(event) && ownerEmail ? [ownerEmail] : []);
  const unique = [...new Set(all)];
  return { emails: unique.filter(isEmailTarget), urls: unique.filter((t) => !isEmailTarget(t)) };
}

/** A URL as shown in statuses and logs: its origin only, since the path often holds a token (Slack, Teams). */
export function shownUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}

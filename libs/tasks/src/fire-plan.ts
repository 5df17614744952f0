import type { CronSchedule } from './cron-schedule';

/** A fire handled this much after its time still counts as on time, whatever the grace window. */
export const ON_TIME_TOLERANCE_MS = 2_000;
/** At most this many missed fires are recorded (as skipped) for one task after a long downtime. */
export const MAX_MISSED_RECORDED = 100;

export interface Window {
  startDate: Date | null;
  endDate: Date | null;
}

/** The first fire strictly after `after` inside the task's start/end window, or null. */
export function fireAfter(s: CronSchedule, w: Window, after: Date): Date | null {
  const from = w.startDate && w.startDate.getTime() > after.getTime() ? new Date(w.startDate.getTime() - 1) : after;
  const next = s.next(from);
  return next && (!w.endDate || next.getTime() <= w.endDate.getTime()) ? next : null;
}

export interface FirePlan {
  /** The fire to run now, if any: the most recent due fire, when it is within the grace window. */
  run: Date | null;
  /** Due fires that will not run (newest first, at most MAX_MISSED_RECORDED). */
  missed: Date[];
  /** The next fire after those handled now, or null if the schedule has none left. */
  next: Date | null;
}

/**
 * What to do with a task whose `due` fire time has come. Normally that is one fire, run now. After downtime there may
 * be many: only the most recent one runs, and only if it is no older than the grace window; the rest are recorded as missed.
 */
export function planFires(s: CronSchedule, w: Window, due: Date, now: Date, graceMs: number): FirePlan {
  const until = w.endDate && w.endDate.getTime() < now.getTime() ? w.endDate : now;
  let latest = s.previous(until);
  if (!latest || latest.getTime() < due.getTime()) latest = due;
  const missed: Date[] = [];
  // A missed fire lies in [due, latest): none when the latest is the due one (the usual case: no step computed).
  for (let c = latest; c.getTime() > due.getTime() && missed.length < MAX_MISSED_RECORDED; ) {
    const p = s.previous(new Date(c.getTime() - 1));
    if (!p || p.getTime() < due.getTime()) break;
    missed.push(p);
    c = p;
  }
  const late = now.getTime() - latest.getTime();
  const onTime = late <= graceMs + ON_TIME_TOLERANCE_MS;
  return {
    run: onTime ? latest : null,
    missed: onTime ? missed : [latest, ...missed].slice(0, MAX_MISSED_RECORDED),
    next: fireAfter(s, w, latest),
  };
}

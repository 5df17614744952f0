import type { TaskRunStatus } from '@app/db';
import type { FireOutcome } from '@app/metrics';

/** A recorded fire as `nba_task_fires_total` counts it, with its lateness when it started a run. */
export function fireMetric(status: TaskRunStatus, result: string, at: Date, now: Date): [FireOutcome, number | undefined] {
  if (status === 'scheduled') return ['started', (now.getTime() - at.getTime()) / 1000];
  if (status === 'skipped') return [result.startsWith('Missed') ? 'missed' : 'skipped', undefined];
  return ['submitfailed', undefined];
}

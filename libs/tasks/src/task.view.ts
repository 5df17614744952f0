import type { TaskEntity, TaskRunStatus } from '@app/db';
import { outputFilesView } from '@app/execution';
import type { TaskRunRow } from './tasks.repository';

/** A task in the product's documented shape; `nextStart` (next fire), `runIntervalSeconds` and `disabledReason` added. */
export function taskView(t: TaskEntity, username: string, runIntervalSeconds: number | null) {
  const { second, minute, hour, dayOfMonth, month, dayOfWeek, timeZone } = t.cron;
  return {
    id: t.id,
    itemId: t.itemId,
    type: t.type,
    title: t.title,
    userId: username,
    cronSchedule: { ...(second !== undefined ? { second } : {}), minute, hour, dayOfMonth, month, dayOfWeek, ...(timeZone !== undefined ? { timeZone } : {}) },
    runIntervalSeconds,
    lastStart: t.lastStart?.getTime() ?? null,
    nextStart: t.active ? (t.nextFireAt?.getTime() ?? null) : null,
    maxOccurrences: t.maxOccurrences,
    occurrences: t.occurrences,
    parameters: t.parameters,
    created: t.created.getTime(),
    updated: t.updated.getTime(),
    startDate: t.startDate?.getTime() ?? null,
    endDate: t.endDate?.getTime() ?? null,
    active: t.active,
    taskState: t.taskState,
    maxRetries: t.maxRetries,
    retryDelaySeconds: t.retryDelaySeconds,
    notifications: t.notifications,
    lastNotification: t.lastNotification,
    ...(t.disabledReason ? { disabledReason: t.disabledReason, message: t.disabledReason } : {}),
  };
}

/** The task run's status, following its run until the outcome is recorded. */
export function taskRunStatus(r: TaskRunRow): TaskRunStatus {
  if (r.status !== 'scheduled' && r.status !== 'executing') return r.status;
  switch (r.runStatus) {
    case 'PROCESSING':
      return 'executing';
    case 'COMPLETED':
      return 'succeeded';
    case 'FAILED':
      return 'failed';
    default:
      return r.status;
  }
}

/** A task run as the runs resource lists it; the snapshot link is the run's job snapshot. */
export function taskRunView(r: TaskRunRow, baseUrl: string) {
  return {
    runId: r.id,
    status: taskRunStatus(r),
    result: r.result,
    trigger: r.trigger ?? 'task',
    attempt: r.attempt ?? 1,
    retryOf: r.retryOf ?? null,
    scheduledTime: r.scheduledFor.getTime(),
    created: r.created.getTime(),
    modified: r.modified.getTime(),
    jobId: r.runId,
    ...(r.runId ? { jobUrl: `${baseUrl}/arcgis/admin/system/jobs/${r.runId}` } : {}),
    ...(r.runId && r.hasArtifacts ? { snapshotUrl: `${baseUrl}/arcgis/admin/system/jobs/${r.runId}/snapshot` } : {}),
    ...(r.runId && r.outputFiles.length ? { outputFiles: outputFilesView(r.runId, r.outputFiles, baseUrl) } : {}),
  };
}

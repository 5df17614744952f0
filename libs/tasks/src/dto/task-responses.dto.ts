import { z } from 'zod';
import { OutputFileJson } from '@app/execution';
import { pagingFields } from '@app/rest';

/** Response shapes of the tasks API, for the OpenAPI document (`@Returns`). */
const notificationSent = z.object({
  via: z.enum(['email', 'url']),
  to: z.string(),
  status: z.enum(['sent', 'failed', 'queued', 'skipped']),
  detail: z.string().optional(),
  deliveryId: z.string().optional(),
  httpStatus: z.number().int().optional(),
  attempts: z.number().int().optional(),
});

export const TaskJson = z.object({
  id: z.string(),
  itemId: z.string(),
  type: z.string(),
  title: z.string(),
  userId: z.string(),
  cronSchedule: z.record(z.string()),
  runIntervalSeconds: z.number().nullable(),
  lastStart: z.number().nullable(),
  nextStart: z.number().nullable(),
  maxOccurrences: z.number().nullable(),
  occurrences: z.number(),
  parameters: z.record(z.unknown()),
  created: z.number(),
  updated: z.number(),
  startDate: z.number().nullable(),
  endDate: z.number().nullable(),
  active: z.boolean(),
  taskState: z.enum(['active', 'inactive', 'completed', 'disabled']),
  disabledReason: z.string().optional(),
  message: z.string().optional(),
  maxRetries: z.number().int(),
  retryDelaySeconds: z.number().int(),
  notifications: z.record(z.array(z.string())).nullable(),
  lastNotification: z
    .object({ at: z.number(), events: z.array(z.string()), taskRunId: z.string(), jobId: z.string().nullable(), sent: z.array(notificationSent) })
    .nullable(),
});

export const TaskRunJson = z.object({
  runId: z.string(),
  status: z.enum(['scheduled', 'executing', 'succeeded', 'skipped', 'failed', 'submitfailed']),
  result: z.string(),
  trigger: z.enum(['task', 'manual']),
  attempt: z.number().int(),
  retryOf: z.string().nullable(),
  scheduledTime: z.number(),
  created: z.number(),
  modified: z.number(),
  jobId: z.string().nullable(),
  jobUrl: z.string().optional(),
  snapshotUrl: z.string().optional(),
  outputFiles: z.array(OutputFileJson).optional(),
});

export const TaskListJson = z.object({ ...pagingFields, activeTasksAvailable: z.number(), tasks: z.array(TaskJson) });
/** Every owner's tasks (administrators). */
export const AdminTaskListJson = z.object({ ...pagingFields, tasks: z.array(TaskJson) });
export const TaskRunListJson = z.object({ ...pagingFields, runs: z.array(TaskRunJson) });
export const SchedulePreviewJson = z.object({ timeZone: z.string(), nextRuns: z.array(z.number().int()) });
export const TaskDoneJson = z.object({ success: z.literal(true), taskId: z.string() });
export const TaskRunDeletedJson = z.object({ success: z.literal(true), runId: z.string() });
export const RunNowJson = z.object({ success: z.literal(true), taskId: z.string(), runId: z.string(), jobId: z.string(), jobUrl: z.string() });

import { z } from 'zod';
import { NotificationTargetsDto } from '@app/execution';
import { pagingSchema, zBool, zCsv, zInt, zJson, zNumber } from '@app/rest';

/** The task types the product documents; only ExecuteNotebook runs here, the others are refused by name. */
export const KNOWN_TASK_TYPES = ['ExecuteNotebook', 'UpdateInsightsWorkbook', 'ExecuteSceneCook', 'ExecuteWorkflowManager', 'ExecuteReport', 'GPService'];
export const SUPPORTED_TASK_TYPE = 'ExecuteNotebook';

// Cron fields arrive as strings or, in JSON bodies, sometimes as numbers.
const zCronField = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string({ invalid_type_error: 'must be a cron field string' }).min(1, 'is required'));
// Year 9999 at most: beyond it a date cannot be stored (nor shown).
const epochMs = zInt.pipe(z.number().min(0, 'must be epoch milliseconds').max(253402300799999, 'must be a date before the year 10000'));
// The column is a 32-bit integer.
const occurrences = zInt.pipe(z.number().min(1, 'must be at least 1').max(2147483647, 'must be at most 2147483647'));

const TASK_PARAMETER_KEYS = ['updatePortalItem', 'saveInjectedParameters', 'notebookParameters', 'executionTimeoutInMinutes', 'runtime', 'retryOnInfrastructureFailure'];

/**
 * A task's `parameters`. A flat object of notebook parameters (`{"city":"Oslo"}`, as scripts send it) is read as
 * `notebookParameters`; mixing such keys with a `notebookParameters` is refused rather than silently dropped.
 */
export const TaskParametersDto = zJson(
  z
    .object({
      updatePortalItem: zBool.optional(),
      saveInjectedParameters: zBool.optional(),
      notebookParameters: z.union([z.string(), z.record(z.unknown()), z.array(z.unknown())]).optional(),
      executionTimeoutInMinutes: zNumber.pipe(z.number().positive('must be greater than 0')).optional(),
      runtime: z.string().trim().min(1).max(128).optional(),
      retryOnInfrastructureFailure: zBool.optional(),
    })
    .passthrough()
    .transform((p, ctx) => {
      const extra = Object.keys(p).filter((k) => !TASK_PARAMETER_KEYS.includes(k));
      if (!extra.length) return p;
      if (p.notebookParameters !== undefined) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `unknown keys ${extra.map((k) => `'${k.slice(0, 64)}'`).join(', ')}: put notebook parameters inside notebookParameters`,
        });
        return z.NEVER;
      }
      const known = Object.fromEntries(Object.entries(p).filter(([k]) => TASK_PARAMETER_KEYS.includes(k)));
      return { ...known, notebookParameters: Object.fromEntries(extra.map((k) => [k, (p as Record<string, unknown>)[k]])) };
    }),
);

const retries = zInt.pipe(z.number().min(0, 'must be 0 to 10').max(10, 'must be 0 to 10'));
const retryDelay = zInt.pipe(z.number().min(0, 'must be 0 or more seconds').max(86400, 'must be at most 86400 seconds'));

const common = {
  title: z.string().min(1).max(256),
  type: z.string().min(1),
  parameters: TaskParametersDto,
  startDate: epochMs.nullable(),
  endDate: epochMs.nullable(),
  maxOccurrences: occurrences.nullable(),
  // The product's documentation also spells it this way.
  maxOccurences: occurrences.nullable(),
  second: zCronField,
  minute: zCronField,
  hour: zCronField,
  dayOfMonth: zCronField,
  month: zCronField,
  dayOfWeek: zCronField,
  timeZone: z.string().min(1),
  // Ours, beside the product's fields.
  maxRetries: retries,
  retryDelaySeconds: retryDelay,
  notifications: NotificationTargetsDto.nullable(),
};

export const CreateTaskDto = z.object({
  ...common,
  type: common.type.optional().default(SUPPORTED_TASK_TYPE),
  itemId: z.string().regex(/^[0-9a-f]{32}$/i, 'must be a 32-character item id'),
  parameters: common.parameters.optional(),
  startDate: common.startDate.optional(),
  endDate: common.endDate.optional(),
  maxOccurrences: common.maxOccurrences.optional(),
  maxOccurences: common.maxOccurences.optional(),
  second: common.second.optional(),
  timeZone: common.timeZone.optional(),
  maxRetries: common.maxRetries.optional(),
  retryDelaySeconds: common.retryDelaySeconds.optional(),
  notifications: common.notifications.optional(),
});

export const UpdateTaskDto = z
  .object(common)
  .partial()
  .extend({ isActive: zBool.optional() });

export const ListTasksDto = pagingSchema.extend({
  itemId: z.string().optional(),
  active: zBool.optional(),
  types: zCsv.optional(),
});

export const ListRunsDto = pagingSchema.extend({
  num: zInt.pipe(z.number().min(0).max(10000)).optional().default(100),
});

/** Run now: the task's parameters, with any of these overriding them (`notebookParameters` key by key). */
export const RunTaskDto = z.object({
  parameters: TaskParametersDto.optional(),
});

export type RunTask = z.infer<typeof RunTaskDto>;
export type CreateTask = z.infer<typeof CreateTaskDto>;
export type UpdateTask = z.infer<typeof UpdateTaskDto>;

import { z } from 'zod';
import { zBool, zJson, zNumber } from '@app/rest';
import { NotificationTargetsDto } from './notification-targets.dto';
import { NOTEBOOK_PARAMETERS_FORMS, readNotebookParameters } from '../notebook-parameters';

const isJson = (v: unknown) => {
  if (typeof v !== 'string') return true;
  try {
    JSON.parse(v);
    return true;
  } catch {
    return false;
  }
};

/** `notebookParameters` in any of its accepted forms (see notebook-parameters.ts), read as one object. */
export const zNotebookParameters = z.unknown().transform((v, ctx) => {
  if (v === undefined || v === '' || v === null) return undefined;
  const parsed = readNotebookParameters(v);
  if (!parsed) ctx.addIssue({ code: z.ZodIssueCode.custom, message: isJson(v) ? NOTEBOOK_PARAMETERS_FORMS : `must be valid JSON that ${NOTEBOOK_PARAMETERS_FORMS.replace(/^must be/, 'is')}` });
  return parsed ?? z.NEVER;
});

export const zIdempotencyKey = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const ExecuteNotebookDto = z.object({
  itemId: z.string().regex(/^[0-9a-f]{32}$/i, 'must be a 32-character item id'),
  updatePortalItem: zBool.optional().default(true),
  notebookParameters: zNotebookParameters.optional(),
  saveInjectedParameters: zBool.optional().default(false),
  executionTimeoutInMinutes: zNumber.pipe(z.number().positive('must be greater than 0')).optional(),
  /** Ours: retry after an engine or node failure even once the notebook started (it may have had side effects). */
  retryOnInfrastructureFailure: zBool.optional().default(false),
  /** Ours: an idempotency key (as the `Idempotency-Key` header); a retried key answers the first job. */
  requestId: zIdempotencyKey.optional(),
  /** Our addition: a runtime's id or name, over the notebook's own `metadata.runtime`. */
  runtime: z.string().trim().min(1).max(128).optional(),
  // Ours: who is told when the run ends (e-mail addresses and/or URLs; libs/notifications).
  notifications: NotificationTargetsDto.optional(),
});

export const JobsQueryDto = z.object({
  detail: zBool.optional().default(false),
  num: zNumber.pipe(z.number().int().min(1).max(10000)).optional().default(100),
  start: zNumber.pipe(z.number().int().min(1)).optional().default(1),
  sortByDate: zBool.optional().default(true),
});

export const UpdatePropertiesDto = z.object({
  properties: zJson(z.record(z.unknown(), { invalid_type_error: 'must be a JSON object' })),
});

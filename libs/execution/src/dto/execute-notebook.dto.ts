import { z } from 'zod';
import { zBool, zJson, zNumber } from '@app/rest';
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

export const ExecuteNotebookDto = z.object({
  itemId: z.string().regex(/^[0-9a-f]{32}$/i, 'must be a 32-character item id'),
  updatePortalItem: zBool.optional().default(true),
  notebookParameters: zNotebookParameters.optional(),
  saveInjectedParameters: zBool.optional().default(false),
  executionTimeoutInMinutes: zNumber.pipe(z.number().positive('must be greater than 0')).optional(),
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

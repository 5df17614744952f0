import { z } from 'zod';

/** Response shapes of the jobs API, for the OpenAPI document (`@Returns`). */
export const ExecuteNotebookJson = z.object({ status: z.literal('success'), jobId: z.string(), jobUrl: z.string() });

const runError = z.object({ ename: z.string(), evalue: z.string(), traceback: z.array(z.string()), cellIndex: z.number().nullable() });

export const JobJson = z
  .object({
    jobId: z.string(),
    type: z.literal('executeNotebook'),
    trigger: z.enum(['executeNotebook', 'task', 'webhook', 'manual']),
    status: z.enum(['SUBMITTED', 'PROCESSING', 'COMPLETED', 'FAILED']),
    username: z.string(),
    inputs: z.record(z.unknown()),
    submittedTime: z.number(),
    startTime: z.number(),
    endTime: z.number().nullable(),
    nodeName: z.string().nullable(),
    results: z.object({ snapshotUrl: z.string().optional(), notebookUrl: z.string().optional(), itemId: z.string().optional(), error: runError.optional() }),
    messages: z.array(z.string()),
    customAttributes: z.object({ isCancelled: z.boolean() }),
    /** Live progress (ours): the cell being executed and its last stream lines; null before the first cell. */
    progress: z
      .object({
        cell: z.number().int(),
        total: z.number().int(),
        codeCell: z.number().int().nullable(),
        codeCells: z.number().int(),
        phase: z.enum(['start', 'output', 'end']),
        status: z.enum(['ok', 'error']).optional(),
        lines: z.array(z.string()),
        updatedAt: z.number(),
      })
      .nullable(),
  })
  // Other engineers' fields (progress, …) may follow.
  .passthrough();

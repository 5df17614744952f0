import { z } from 'zod';
import { pagingFields, statusSuccessWith } from '@app/rest';

/** Response shapes of the jobs API, for the OpenAPI document (`@Returns`). */
export const ExecuteNotebookJson = z.object({ status: z.literal('success'), jobId: z.string(), jobUrl: z.string() });

export const OutputFileJson = z.object({ name: z.string(), size: z.number().int(), url: z.string() });

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
    results: z.object({
      snapshotUrl: z.string().optional(),
      notebookUrl: z.string().optional(),
      itemId: z.string().optional(),
      outputFiles: z.array(OutputFileJson).optional(),
      error: runError.optional(),
    }),
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

const jobSummary = z.object({ jobId: z.string(), startTime: z.number(), type: z.literal('executeNotebook'), username: z.string(), status: JobJson.shape.status });
/** `detail=true` lists whole jobs (without `progress`), else summaries. */
export const JobListJson = z.object({ ...pagingFields, asyncJobs: z.array(z.union([jobSummary, JobJson.omit({ progress: true })])) });
export const JobsDeletedJson = statusSuccessWith({ deleted: z.number().int() });
export const JobCancelledJson = statusSuccessWith({});

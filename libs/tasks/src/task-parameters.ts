import type { TaskParameters } from '@app/db';
import { readNotebookParameters } from '@app/execution';

/** The notebook parameters a run receives: the task keeps them as given (any accepted form), read here. */
export function notebookParametersOf(p: TaskParameters): Record<string, unknown> | null {
  return readNotebookParameters(p.notebookParameters);
}

import type { TaskParameters } from '@app/db';

/** The notebook parameters a run receives: the task keeps them as given (a JSON string or an object). */
export function notebookParametersOf(p: TaskParameters): Record<string, unknown> | null {
  let v = p.notebookParameters;
  // Clients send it as JSON, sometimes encoded twice.
  for (let i = 0; i < 2 && typeof v === 'string'; i++) {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

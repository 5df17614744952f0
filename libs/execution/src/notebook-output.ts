import type { Notebook } from '@app/notebooks';

export const INJECTED_PARAMETERS_TAG = 'injected-parameters';
export const INJECTED_PAYLOAD_TAG = 'injected-webhook-payload';

/** The executed notebook as it is saved back to the item: injected cells dropped unless asked to keep them. */
export function notebookToSave(executed: Notebook, keepInjected: boolean): Notebook {
  if (keepInjected) return executed;
  const injected = (tags: unknown) =>
    Array.isArray(tags) && (tags.includes(INJECTED_PARAMETERS_TAG) || tags.includes(INJECTED_PAYLOAD_TAG));
  return { ...executed, cells: executed.cells.filter((c) => !injected(c.metadata?.tags)) };
}

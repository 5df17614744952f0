import type { TaskParameters } from '@app/db';
import { readNotebookParameters, SubmitRun } from '@app/execution';

/** The notebook parameters a run receives: the task keeps them as given (any accepted form), read here. */
export function notebookParametersOf(p: TaskParameters): Record<string, unknown> | null {
  return readNotebookParameters(p.notebookParameters);
}

/** What a run of the task takes from its parameters (a fire, run now): one place, so each trigger runs it alike. */
export function runOptionsOf(p: TaskParameters): Pick<SubmitRun, 'parameters' | 'updatePortalItem' | 'saveInjectedParameters' | 'timeoutMinutes' | 'runtime' | 'retryOnInfrastructureFailure'> {
  return {
    parameters: notebookParametersOf(p),
    updatePortalItem: p.updatePortalItem,
    saveInjectedParameters: p.saveInjectedParameters,
    timeoutMinutes: p.executionTimeoutInMinutes,
    runtime: p.runtime ?? null,
    retryOnInfrastructureFailure: p.retryOnInfrastructureFailure ?? false,
  };
}

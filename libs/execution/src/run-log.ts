import type { RunEntity } from '@app/db';

/** The fields of a run's state-change log line, the same wherever the state changes. */
export function runLogLine(run: RunEntity, status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    msg: `run ${run.id} ${status}`,
    runId: run.id,
    taskId: run.taskId,
    trigger: run.trigger,
    node: run.nodeName,
    status,
    ...extra,
  };
}

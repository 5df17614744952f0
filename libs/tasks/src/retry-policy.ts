/** The pause before retrying attempt `failedAttempt` (1 = the fire itself): the task's delay, doubled per attempt, capped. */
export function retryDelaySeconds(baseSeconds: number, failedAttempt: number, capSeconds: number): number {
  const doubled = baseSeconds * 2 ** Math.max(0, failedAttempt - 1);
  return Math.min(doubled, capSeconds);
}

/** Whether a failed attempt gets another: within `maxRetries`, not cancelled, and the task still fires (or was run by hand). */
export function shouldRetry(o: { attempt: number; maxRetries: number; cancelled: boolean; taskActive: boolean; manual: boolean }): boolean {
  return !o.cancelled && o.attempt <= o.maxRetries && (o.taskActive || o.manual);
}

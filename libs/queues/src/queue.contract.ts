/**
 * The one contract between producers (api, scheduler, webhooks) and consumers (workers).
 * Payloads carry ids only: the state lives in Postgres, and handlers re-read it.
 */
export const QUEUES = {
  runs: 'notebook-runs',
  deliveries: 'webhook-deliveries',
} as const;

export const JOBS = {
  executeRun: 'execute-run',
  deliver: 'deliver',
} as const;

export interface RunJob {
  runId: string;
}

export interface DeliveryJob {
  deliveryId: string;
}

export interface JobTypes {
  [JOBS.executeRun]: RunJob;
  [JOBS.deliver]: DeliveryJob;
}

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
  deliverBatch: 'deliver-batch',
} as const;

export interface RunJob {
  runId: string;
}

export interface DeliveryJob {
  deliveryId: string;
  /** Lets the worker take the webhook from its in-memory index instead of reading it (absent on older jobs). */
  webhookId?: string;
}

/** First attempts of the deliveries of one fan-out, in one job (retries are single `deliver` jobs). */
export interface DeliveryBatchJob {
  deliveries: DeliveryJob[];
}

export interface JobTypes {
  [JOBS.executeRun]: RunJob;
  [JOBS.deliver]: DeliveryJob;
  [JOBS.deliverBatch]: DeliveryBatchJob;
}

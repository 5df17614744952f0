/**
 * The one contract between producers (api, scheduler, webhooks) and consumers (workers).
 * Payloads carry ids only: the state lives in Postgres, and handlers re-read it.
 */
export const QUEUES = {
  runs: 'notebook-runs',
  deliveries: 'webhook-deliveries',
  fanout: 'webhook-fanout',
} as const;

export const JOBS = {
  executeRun: 'execute-run',
  deliver: 'deliver',
  fanout: 'fan-out',
} as const;

export interface RunJob {
  runId: string;
}

export interface DeliveryJob {
  deliveryId: string;
  /** Lets the worker take the webhook from its in-memory index instead of reading it (absent on older jobs). */
  webhookId?: string;
}

/** Recorded domain events whose deliveries are to be made (and their first attempts sent) by one worker. */
export interface FanoutJob {
  eventIds: string[];
}

export interface JobTypes {
  [JOBS.executeRun]: RunJob;
  [JOBS.deliver]: DeliveryJob;
  [JOBS.fanout]: FanoutJob;
}

import { newId, WebhookDeliveryEntity } from '@app/db';
import { RetryPlan } from './retry-schedule';

/** A delivery not yet attempted: to a webhook (`webhookId`) or to a URL of no webhook (`targetUrl`, a notification). */
export function pendingDelivery(p: {
  webhookId: string | null;
  targetUrl?: string;
  eventId: string;
  payload: object;
  plan: RetryPlan;
  runId?: string | null;
  now: Date;
}): WebhookDeliveryEntity {
  return Object.assign(new WebhookDeliveryEntity(), {
    id: newId(),
    webhookId: p.webhookId,
    targetUrl: p.targetUrl ?? null,
    eventId: p.eventId,
    status: 'pending',
    payload: p.payload as Record<string, unknown>,
    attempts: 0,
    maxAttempts: p.plan.maxAttempts,
    retryDelays: p.plan.delays,
    nextAttemptAt: null,
    redeliveries: 0,
    isInvoked: false,
    invokedAt: null,
    httpStatus: null,
    responseText: null,
    runId: p.runId ?? null,
    createdAt: p.now,
    finishedAt: null,
  });
}

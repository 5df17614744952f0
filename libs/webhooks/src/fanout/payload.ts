import type { DomainEventEntity, WebhookEntity } from '@app/db';

/** The payload of the seeds: `info` about the webhook, then the events (one per delivery here). */
export interface WebhookPayload {
  info: { webhookName: string; webhookId: string; portalURL: string; when: number };
  events: Array<{
    username: string;
    userId: string;
    when: number;
    operation: string;
    source: string;
    id: string;
    properties: Record<string, unknown>;
  }>;
  /** Notebook webhooks: the notebook being run (the seeds' notebook payload). */
  properties?: { itemId: string };
}

export function buildPayload(webhook: WebhookEntity, event: DomainEventEntity, portalURL: string, nowMs: number): WebhookPayload {
  const payload: WebhookPayload = {
    info: { webhookName: webhook.name, webhookId: webhook.id, portalURL, when: nowMs },
    events: [
      {
        username: event.username,
        userId: event.userId,
        when: event.occurredAt.getTime(),
        operation: event.operation,
        source: event.source,
        id: event.targetId,
        properties: event.properties ?? {},
      },
    ],
  };
  const itemId = webhook.config.properties?.federatedServer?.itemId;
  if (itemId) payload.properties = { itemId };
  return payload;
}

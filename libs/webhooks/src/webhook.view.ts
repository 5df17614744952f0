import type { WebhookDeliveryEntity, WebhookEntity, WebhookReceiverEntity } from '@app/db';
import { inactiveTriggers } from './fanout/trigger-uris';

/** Secrets are never read back: an empty one stays empty (as the product shows it), others are masked. */
export const maskSecret = (secret: string) => (secret ? '********' : '');

/** The webhook object of the reference. `deactivationReason` is ours: why the policy deactivated it. */
export function webhookView(w: WebhookEntity, accountId: string, publicUrl: string, showSecret = false) {
  const itemId = w.config.properties?.federatedServer?.itemId;
  return {
    id: w.id,
    accountId,
    // Notebook webhooks have no payload URL of their own: show where the server runs them.
    payloadUrl: w.payloadUrl ?? (itemId ? `${publicUrl}/arcgis/admin/notebooks/executeNotebook` : ''),
    secret: showSecret ? w.secret : maskSecret(w.secret),
    isActive: w.isActive,
    name: w.name,
    config: w.config,
    ownerId: w.ownerId,
    modifiedId: w.modifiedId,
    created: w.created.getTime(),
    modified: w.modified.getTime(),
    events: w.events,
    ...(w.deactivatedReason ? { deactivationReason: w.deactivatedReason } : {}),
    // Ours: the webhook's URIs that no operation here raises, and why (the Manager shows them).
    inactiveEvents: inactiveTriggers(w.events),
    // Ours: while a rotated-out secret still signs beside the new one.
    ...(w.previousSecretExpires ? { previousSecretExpires: w.previousSecretExpires.getTime() } : {}),
  };
}

/**
 * One record of `notificationStatus`. `isInvoked`: the receiver accepted the payload (2xx) or the notebook's
 * run was started; `invokedTimestamp`: the time of the last attempt. The rest is ours.
 */
export function deliveryView(d: WebhookDeliveryEntity) {
  return {
    id: d.id,
    isInvoked: d.isInvoked,
    invokedTimestamp: d.invokedAt?.getTime() ?? null,
    responseText: d.responseText ?? '',
    payload: d.payload,
    status: d.status,
    attempts: d.attempts,
    maxAttempts: d.maxAttempts,
    nextAttemptAt: d.nextAttemptAt?.getTime() ?? null,
    httpStatus: d.httpStatus,
    eventId: d.eventId,
    created: d.createdAt.getTime(),
    finished: d.finishedAt?.getTime() ?? null,
    ...(d.runId ? { jobId: d.runId } : {}),
  };
}

export const receiverUrl = (publicUrl: string, id: string) => `${publicUrl}/arcgis/webhooks/receivers/${id}`;

export function receiverView(r: WebhookReceiverEntity, publicUrl: string, showSecret = false) {
  return {
    id: r.id,
    name: r.name,
    itemId: r.itemId,
    url: receiverUrl(publicUrl, r.id),
    secret: showSecret ? r.secret : maskSecret(r.secret),
    signatureHeaders: r.signatureHeaders.join(','),
    parameters: r.parameters ?? {},
    disabled: r.disabled,
    ownerId: r.ownerId,
    created: r.created.getTime(),
    modified: r.modified.getTime(),
  };
}

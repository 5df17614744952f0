import { z } from 'zod';
import { pagingFields, statusSuccessWith, successWith, zMillis } from '@app/rest';

/** Response shapes of the webhook routes (organization webhooks, receivers), for the OpenAPI document (`@Returns`). */

const inactiveEvent = z.object({ event: z.string(), reason: z.string() });

export const WebhookJson = z.object({
  id: z.string(),
  accountId: z.string(),
  payloadUrl: z.string(),
  /** `********` (or empty): shown in full only when generated. */
  secret: z.string(),
  isActive: z.boolean(),
  name: z.string(),
  /** The product's config object: open-ended (deactivationPolicy, properties, our retrySchedule). */
  config: z.object({}).passthrough(),
  ownerId: z.string(),
  modifiedId: z.string(),
  created: zMillis,
  modified: zMillis,
  events: z.array(z.string()),
  deactivationReason: z.string().optional(),
  inactiveEvents: z.array(inactiveEvent),
  previousSecretExpires: zMillis.optional(),
});

export const WebhookListJson = z.object({ ...pagingFields, webhooks: z.array(WebhookJson) });
export const WebhookSavedJson = successWith({ webhook: WebhookJson, inactiveEvents: z.array(inactiveEvent) });
export const WebhookChangedJson = successWith({ webhook: WebhookJson });
export const WebhookActivatedJson = successWith({ webhook: WebhookJson, failedRecords: z.number().int(), failedSince: zMillis.nullable() });
export const WebhookRecoveredJson = successWith({ recovered: z.number().int() });

const settings = { notificationAttempts: z.number().int(), notificationTimeOutInSeconds: z.number().int(), notificationElapsedTimeInSeconds: z.number().int() };
export const WebhookSettingsJson = z.object(settings);
export const WebhookSettingsUpdatedJson = successWith(settings);
export const EventsIngestedJson = successWith({ eventIds: z.array(z.string()) });

export const DeliveryJson = z.object({
  id: z.string(),
  isInvoked: z.boolean(),
  invokedTimestamp: zMillis.nullable(),
  responseText: z.string(),
  /** The event as sent: open-ended. */
  payload: z.object({}).passthrough(),
  status: z.enum(['pending', 'submitted', 'succeeded', 'failed']),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  nextAttemptAt: zMillis.nullable(),
  httpStatus: z.number().int().nullable(),
  eventId: z.string(),
  created: zMillis,
  finished: zMillis.nullable(),
  jobId: z.string().optional(),
});
export const NotificationStatusJson = z.object({ ...pagingFields, WebhookStatus: z.array(DeliveryJson) });
export const RedeliveredJson = successWith({ id: z.string(), redeliveries: z.number().int() });

export const ReceiverJson = z.object({
  id: z.string(),
  name: z.string(),
  itemId: z.string(),
  url: z.string(),
  /** `********` (or empty): shown in full only when created. */
  secret: z.string(),
  signatureHeaders: z.string(),
  parameters: z.record(z.unknown()),
  disabled: z.boolean(),
  ownerId: z.string(),
  created: zMillis,
  modified: zMillis,
});
export const ReceiverSavedJson = successWith({ webhookReceiver: ReceiverJson });
export const ReceiverListJson = z.object({ webhookReceivers: z.array(ReceiverJson) });
export const ReceivedJson = statusSuccessWith({ jobId: z.string(), jobUrl: z.string() });

const triggerOption = z.object({ op: z.string(), label: z.string(), inactive: z.string().optional() }).strict();
/** Ours: the trigger catalogue in words (`…/webhooks/triggerEvents`), built from the tables URIs are checked with. */
export const TriggerCatalogueJson = z.object({
  triggerGroups: z.array(
    z
      .object({
        kind: z.string(),
        title: z.string(),
        all: z.string(),
        any: z.array(triggerOption),
        specific: z.object({ label: z.string(), target: z.string(), all: z.string(), ops: z.array(triggerOption) }).strict().optional(),
      })
      .strict(),
  ),
});

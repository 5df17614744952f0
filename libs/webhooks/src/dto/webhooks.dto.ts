import { z } from 'zod';
import { zBool, zInt, zJson } from '@app/rest';
import { MAX_SCHEDULE_STEP_SECONDS, MAX_SCHEDULE_STEPS } from '../delivery/retry-schedule';
import { secretProblem } from '../delivery/signing';

const ID = /^[0-9a-f]{32}$/i;

/** Trigger URIs: comma-separated, or a JSON array (some clients send a list). */
export const zEvents = z.preprocess((v) => {
  if (v === '' || v === null || v === undefined) return undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        return JSON.parse(t);
      } catch {
        return v;
      }
    }
    return t.split(',').map((s) => s.trim()).filter(Boolean);
  }
  return v;
}, z.array(z.string(), { invalid_type_error: 'must be a comma-separated list of trigger URIs' }));

const int = (min: number, max: number) => z.coerce.number({ invalid_type_error: 'must be a number' }).int('must be an integer').min(min).max(max);

export const zWebhookConfig = zJson(
  z
    .object({
      deactivationPolicy: z
        .object({ numberOfFailures: int(1, 1000).optional(), daysInPast: int(1, 365).optional() })
        .passthrough()
        .optional(),
      /** Ours: pauses in seconds between attempts (replacing the site's settings for this webhook), or "exponential". */
      retrySchedule: z
        .union([
          z.literal('exponential'),
          z.array(int(1, MAX_SCHEDULE_STEP_SECONDS)).min(1, 'must list at least one pause').max(MAX_SCHEDULE_STEPS, `must list at most ${MAX_SCHEDULE_STEPS} pauses`),
        ], { errorMap: () => ({ message: `must be "exponential" or a list of pauses in seconds (1-${MAX_SCHEDULE_STEP_SECONDS}), e.g. [5,300,1800,7200,28800,86400]` }) })
        .optional(),
      properties: z
        .object({
          federatedServer: z
            .object({
              itemId: z.string().regex(ID, 'must be a 32-character item id'),
              tokenTypeToSend: z.enum(['owner', 'user']).optional().default('owner'),
              tokenExpirationTimeMinutes: int(1, 1440).optional().default(10),
            })
            .passthrough()
            .optional(),
        })
        .passthrough()
        .optional(),
    })
    .passthrough(),
);

/** Printable ASCII (a 400 names the rule otherwise); `whsec_…` must carry 24-64 Base64 bytes. Empty means none. */
export const zSecret = z
  .string()
  .max(1024)
  .superRefine((v, ctx) => {
    const problem = secretProblem(v);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

const webhookFields = {
  name: z.string().trim().min(1, 'is required').max(256),
  url: z.string().trim().optional(),
  secret: zSecret.optional(),
  /** Ours: the server makes a `whsec_` secret and shows it once, in this answer. */
  generateSecret: zBool.optional(),
  config: zWebhookConfig.optional(),
  changes: z.enum(['allChanges', 'manualChanges']).optional(),
  events: zEvents.optional(),
};

export const CreateWebhookDto = z.object(webhookFields);

export const UpdateWebhookDto = CreateWebhookDto.partial();

/** Ours: a new secret (given, or generated when omitted); the old one keeps signing for `overlapSeconds`. */
export const RotateSecretDto = z.object({
  secret: zSecret.pipe(z.string().min(1, 'must not be empty (omit it to have one generated)')).optional(),
  overlapSeconds: zInt.pipe(z.number().min(0).max(30 * 86400)).optional(),
});

export const ListDto = z.object({
  start: zInt.pipe(z.number().min(1)).optional().default(1),
  num: zInt.pipe(z.number().min(1).max(100)).optional().default(25),
});

export const StatusDto = z.object({
  start: zInt.pipe(z.number().min(1)).optional().default(1),
  num: zInt.pipe(z.number().min(1).max(100)).optional().default(10),
});

/** Ours: redeliver every failed record of the webhook made since `since` (epoch ms), as Svix's recover does. */
export const RecoverDto = z.object({
  since: zInt.pipe(z.number().min(0)),
});

/** Documented ranges: attempts 0-5, timeout 0-60 s, pause between attempts 1-100 s. */
export const UpdateSettingsDto = z.object({
  notificationAttempts: zInt.pipe(z.number().min(0).max(5)).optional(),
  notificationTimeOutInSeconds: zInt.pipe(z.number().min(0).max(60)).optional(),
  notificationElapsedTimeInSeconds: zInt.pipe(z.number().min(1).max(100)).optional(),
});

const zSource = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase().replace(/s$/, '') : v),
  z.enum(['item', 'group', 'user', 'role'], { errorMap: () => ({ message: 'must be item, group, user or role' }) }),
);

/** One event in the seeds' shape, as another portal or a script publishes it. */
export const IngestedEvent = z.object({
  username: z.string().min(1).max(128),
  userId: z.string().max(64).optional().default(''),
  when: z.coerce.number().int().positive().optional(),
  operation: z.string().regex(/^[A-Za-z]{1,64}$/, 'must be an operation name such as add or update'),
  source: zSource,
  id: z.string().min(1).max(128),
  properties: z.record(z.unknown()).optional().default({}),
  /** Ours: the publisher's key for this event; an event published again under its key is stored and delivered once. */
  key: z.string().min(1).max(200).optional(),
});

/** `events` (an array or one event), or a whole payload `{info, events}`. */
export const IngestDto = z.object({
  events: zJson(z.preprocess((v) => (v && typeof v === 'object' && !Array.isArray(v) ? [v] : v), z.array(IngestedEvent).min(1).max(1000))),
});

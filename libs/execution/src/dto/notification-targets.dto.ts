import { z } from 'zod';
import { zJson } from '@app/rest';

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

const target = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    if (EMAIL.test(v)) return;
    let url: URL | null = null;
    try {
      url = new URL(v);
    } catch {
      // neither
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be an e-mail address or an http(s) URL' });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'a notification URL must not carry credentials' });
    }
  });

/** A list of targets: a JSON array or a comma-separated string. */
const targets = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  z.array(target, { invalid_type_error: 'must be a list of e-mail addresses and/or URLs' }).max(20, 'at most 20 targets'),
);

/**
 * `notifications` of a task or an executeNotebook request (ours): who is told of which outcome (libs/notifications).
 * For a task, a list replaces the site's default for that event.
 */
export const NotificationTargetsDto = zJson(
  z
    .object({ onFailure: targets.optional(), onSuccess: targets.optional(), onDisabled: targets.optional(), onRecovery: targets.optional() })
    .strict(),
);

export const isEmailTarget = (t: string) => EMAIL.test(t);

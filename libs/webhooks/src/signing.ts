import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures of outgoing deliveries and checks of inbound ones.
 * Outgoing: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over
 * `${id}.${timestamp}.${body}`, keyed with the secret's UTF-8 bytes) and the product's `x-esriHook-Signature:
 * sha256=<base64 HMAC of the body>`.
 */
export function hmacBase64(secret: string, data: string | Buffer): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(data).digest('base64');
}

export function signatureHeaders(opts: {
  secret: string;
  messageId: string;
  timestampSec: number;
  body: string;
  sendPlainSecret: boolean;
}): Record<string, string> {
  const headers: Record<string, string> = { 'webhook-id': opts.messageId, 'webhook-timestamp': String(opts.timestampSec) };
  // Without a secret there is no key to sign with; receivers then get the id and timestamp only.
  if (!opts.secret) return headers;
  headers['webhook-signature'] = `v1,${hmacBase64(opts.secret, `${opts.messageId}.${opts.timestampSec}.${opts.body}`)}`;
  headers['x-esriHook-Signature'] = `sha256=${hmacBase64(opts.secret, opts.body)}`;
  // Public samples read the secret itself from a `secret` header; an option turns that off.
  if (opts.sendPlainSecret) headers['secret'] = opts.secret;
  return headers;
}

/**
 * True when `value` (one header of an inbound POST) is the HMAC-SHA256 of `body` under `secret`:
 * Base64 as documented, or hex (GitHub's `x-hub-signature-256`), with an optional `sha256=` prefix.
 */
export function verifyInboundSignature(secret: string, body: Buffer, value: string | undefined): boolean {
  if (!value) return false;
  const given = value.trim().replace(/^sha256=/i, '');
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest();
  const candidates: Buffer[] = [];
  if (/^[0-9a-f]{64}$/i.test(given)) candidates.push(Buffer.from(given, 'hex'));
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(given)) candidates.push(Buffer.from(given.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  return candidates.some((c) => c.length === expected.length && timingSafeEqual(c, expected));
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signatures of outgoing deliveries and checks of inbound ones.
 * Outgoing: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over
 * `${id}.${timestamp}.${body}`) and the product's `x-esriHook-Signature: sha256=<base64 HMAC of the body>`.
 * The Standard Webhooks key of a `whsec_…` secret is its Base64-decoded bytes (what `new Webhook(secret)` of the
 * reference libraries uses); any other secret's key is its bytes as given (`new Webhook(secret, {format:'raw'})`).
 */
export const WHSEC_PREFIX = 'whsec_';

/** Our generated secrets: `whsec_` + Base64 of 32 random bytes. */
export function generateSecret(): string {
  return WHSEC_PREFIX + randomBytes(32).toString('base64');
}

/** Why a secret given by a caller cannot be used, or null. Printable ASCII keeps every receiver and header safe. */
export function secretProblem(secret: string): string | null {
  if (!/^[\x20-\x7E]*$/.test(secret)) return 'must be printable ASCII (characters 0x20-0x7E): it travels in HTTP headers and is an HMAC key every library must read alike';
  if (secret !== secret.trim()) return 'must not begin or end with a space';
  if (secret.startsWith(WHSEC_PREFIX)) {
    const b64 = secret.slice(WHSEC_PREFIX.length);
    const bytes = Buffer.from(b64, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || bytes.length < 24 || bytes.length > 64) {
      return `a ${WHSEC_PREFIX} secret must be ${WHSEC_PREFIX} followed by the Base64 of 24 to 64 bytes (Standard Webhooks)`;
    }
  }
  return null;
}

/** The Standard Webhooks HMAC key of a secret. */
export function standardKey(secret: string): Buffer {
  return secret.startsWith(WHSEC_PREFIX) ? Buffer.from(secret.slice(WHSEC_PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
}

export function hmacBase64(key: string | Buffer, data: string | Buffer): string {
  return createHmac('sha256', typeof key === 'string' ? Buffer.from(key, 'utf8') : key).update(data).digest('base64');
}

/** `v1,<sig>` of one secret over a Standard Webhooks message. */
export function standardSignature(secret: string, messageId: string, timestampSec: number, body: string): string {
  return `v1,${hmacBase64(standardKey(secret), `${messageId}.${timestampSec}.${body}`)}`;
}

/** Whether the plain `secret` header goes to this URL under WEBHOOK_SEND_PLAIN_SECRET. */
export function plainSecretAllowed(mode: 'https' | 'always' | 'never', url: string): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return url.toLowerCase().startsWith('https://');
}

export function signatureHeaders(opts: {
  secret: string;
  /** A rotated-out secret still in its overlap: it signs too (a second `v1,` signature). */
  previousSecret?: string | null;
  messageId: string;
  timestampSec: number;
  body: string;
  sendPlainSecret: boolean;
}): Record<string, string> {
  const headers: Record<string, string> = { 'webhook-id': opts.messageId, 'webhook-timestamp': String(opts.timestampSec) };
  // Without a secret there is no key to sign with; receivers then get the id and timestamp only.
  if (!opts.secret) return headers;
  const sigs = [opts.secret, ...(opts.previousSecret ? [opts.previousSecret] : [])].map((s) =>
    standardSignature(s, opts.messageId, opts.timestampSec, opts.body),
  );
  headers['webhook-signature'] = sigs.join(' ');
  // The product's header: HMAC of the body keyed with the secret's characters, as public samples compute it.
  headers['x-esriHook-Signature'] = `sha256=${hmacBase64(opts.secret, opts.body)}`;
  // Public samples read the secret itself from a `secret` header (printable ASCII only: a header must carry it).
  if (opts.sendPlainSecret && /^[\x20-\x7E]+$/.test(opts.secret)) headers['secret'] = opts.secret;
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
  return matchesDigest(given, expected);
}

/** Whether a Base64 (or hex) string is the digest, in constant time. */
export function matchesDigest(given: string, expected: Buffer): boolean {
  const candidates: Buffer[] = [];
  if (/^[0-9a-f]{64}$/i.test(given)) candidates.push(Buffer.from(given, 'hex'));
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(given)) candidates.push(Buffer.from(given.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  return candidates.some((c) => c.length === expected.length && timingSafeEqual(c, expected));
}

/** The Standard Webhooks headers of a request (also under Svix's `svix-` names), when all three are there. */
export function standardHeadersOf(headers: Record<string, string | string[] | undefined>): { id: string; timestamp: string; signature: string } | null {
  const one = (name: string) => {
    const v = headers[`webhook-${name}`] ?? headers[`svix-${name}`];
    return Array.isArray(v) ? v[0] : v;
  };
  const [id, timestamp, signature] = [one('id'), one('timestamp'), one('signature')];
  return id && timestamp && signature ? { id, timestamp, signature } : null;
}

/** Whether one of the `v1,` signatures is the Standard Webhooks signature of the request under `secret`. */
export function verifyStandardInbound(secret: string, body: Buffer, h: { id: string; timestamp: string; signature: string }): boolean {
  const expected = createHmac('sha256', standardKey(secret)).update(`${h.id}.${h.timestamp}.`).update(body).digest();
  return h.signature
    .split(' ')
    .map((s) => s.split(','))
    .some(([version, sig]) => version === 'v1' && !!sig && matchesDigest(sig, expected));
}

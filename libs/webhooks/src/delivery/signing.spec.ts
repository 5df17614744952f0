import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { generateSecret, plainSecretAllowed, secretProblem, signatureHeaders, verifyInboundSignature } from './signing';

describe('signing', () => {
  const secret = 'a-secret-of-the-webhook';
  const body = '{"info":{},"events":[]}';

  it('signs per Standard Webhooks and as x-esriHook-Signature', () => {
    const h = signatureHeaders({ secret, messageId: 'msg_1', timestampSec: 1700000000, body, sendPlainSecret: true });
    const std = createHmac('sha256', secret).update(`msg_1.1700000000.${body}`).digest('base64');
    expect(h['webhook-id']).toBe('msg_1');
    expect(h['webhook-timestamp']).toBe('1700000000');
    expect(h['webhook-signature']).toBe(`v1,${std}`);
    expect(h['x-esriHook-Signature']).toBe(`sha256=${createHmac('sha256', secret).update(body).digest('base64')}`);
    expect(h.secret).toBe(secret);
  });

  it('leaves the plain secret out when told to, and signs nothing without a secret', () => {
    expect(signatureHeaders({ secret, messageId: 'm', timestampSec: 1, body, sendPlainSecret: false }).secret).toBeUndefined();
    const none = signatureHeaders({ secret: '', messageId: 'm', timestampSec: 1, body, sendPlainSecret: true });
    expect(Object.keys(none).sort()).toEqual(['webhook-id', 'webhook-timestamp']);
  });

  describe('verified by the unmodified standardwebhooks library', () => {
    const now = () => Math.floor(Date.now() / 1000);

    it('a generated whsec_ secret verifies with new Webhook(secret)', () => {
      const whsec = generateSecret();
      expect(whsec).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(whsec.slice(6), 'base64')).toHaveLength(32);
      const h = signatureHeaders({ secret: whsec, messageId: 'msg_2', timestampSec: now(), body, sendPlainSecret: false });
      expect(new Webhook(whsec).verify(body, h)).toEqual(JSON.parse(body));
      expect(() => new Webhook(generateSecret()).verify(body, h)).toThrow(/No matching signature/);
    });

    it('any other secret verifies with new Webhook(secret, { format: "raw" })', () => {
      const h = signatureHeaders({ secret, messageId: 'msg_3', timestampSec: now(), body, sendPlainSecret: false });
      expect(new Webhook(secret, { format: 'raw' }).verify(body, h)).toEqual(JSON.parse(body));
    });

    it('during a rotation both secrets verify', () => {
      const next = generateSecret();
      const h = signatureHeaders({ secret: next, previousSecret: secret, messageId: 'msg_4', timestampSec: now(), body, sendPlainSecret: false });
      expect(h['webhook-signature'].split(' ')).toHaveLength(2);
      expect(() => new Webhook(next).verify(body, h)).not.toThrow();
      expect(() => new Webhook(secret, { format: 'raw' }).verify(body, h)).not.toThrow();
    });
  });

  it('secrets must be printable ASCII; whsec_ ones must carry 24-64 Base64 bytes', () => {
    expect(secretProblem('plain-ascii ~!@#')).toBeNull();
    expect(secretProblem('')).toBeNull();
    expect(secretProblem(generateSecret())).toBeNull();
    expect(secretProblem('sécret')).toMatch(/printable ASCII/);
    expect(secretProblem('tab\there')).toMatch(/printable ASCII/);
    expect(secretProblem(' padded')).toMatch(/space/);
    expect(secretProblem('whsec_c2hvcnQ=')).toMatch(/24 to 64 bytes/);
    expect(secretProblem('whsec_not base64!')).toMatch(/24 to 64 bytes/);
  });

  it('the plain secret header goes to https only, unless always', () => {
    expect(plainSecretAllowed('https', 'https://example.org/h')).toBe(true);
    expect(plainSecretAllowed('https', 'http://example.org/h')).toBe(false);
    expect(plainSecretAllowed('always', 'http://example.org/h')).toBe(true);
    expect(plainSecretAllowed('never', 'https://example.org/h')).toBe(false);
  });

  describe('inbound', () => {
    const raw = Buffer.from('{"hello":"world"}');
    const b64 = createHmac('sha256', secret).update(raw).digest('base64');
    const hex = createHmac('sha256', secret).update(raw).digest('hex');

    it.each([b64, `sha256=${b64}`, `SHA256=${b64}`, hex, `sha256=${hex}`])('accepts %s', (v) => {
      expect(verifyInboundSignature(secret, raw, v)).toBe(true);
    });

    it('refuses a missing, wrong or truncated signature, and a tampered body', () => {
      expect(verifyInboundSignature(secret, raw, undefined)).toBe(false);
      expect(verifyInboundSignature(secret, raw, '')).toBe(false);
      expect(verifyInboundSignature(secret, raw, b64.slice(0, 20))).toBe(false);
      expect(verifyInboundSignature('another-secret', raw, b64)).toBe(false);
      expect(verifyInboundSignature(secret, Buffer.from('{"hello":"World"}'), b64)).toBe(false);
    });
  });
});

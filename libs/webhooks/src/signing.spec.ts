import { createHmac } from 'node:crypto';
import { signatureHeaders, verifyInboundSignature } from './signing';

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

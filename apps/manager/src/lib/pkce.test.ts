import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { challengeOf, randomToken, sha256 } from './pkce';

describe('PKCE', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', () => {
    expect(challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('hashes as SHA-256 does, across block boundaries', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 200]) {
      const data = new Uint8Array(n).map((_, i) => (i * 7 + 3) & 0xff);
      expect(Buffer.from(sha256(data)).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('makes verifiers the server accepts (43 characters of base64url), different each time', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
  });
});

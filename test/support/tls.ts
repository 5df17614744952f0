import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';

const ROOT = join(__dirname, '..', '..');

export interface TestCert {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  fingerprint: string;
}

/** The self-signed certificate quickstart makes (same script), in `dir`. */
export function selfSignedCert(dir: string): TestCert {
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'tls-cert.sh'), dir], { encoding: 'utf8' });
  const v = Object.fromEntries(out.trim().split('\n').map((l) => l.split('=') as [string, string]));
  return { certFile: v.TLS_CERT_FILE, keyFile: v.TLS_KEY_FILE, cert: readFileSync(v.TLS_CERT_FILE), fingerprint: v.SHA256_FINGERPRINT };
}

/** Serves an in-process api over HTTPS too (as `listenApi` does for the real process); answers its base URL. */
export async function serveTls(app: INestApplication, cert: TestCert): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer({ cert: cert.cert, key: readFileSync(cert.keyFile) }, app.getHttpAdapter().getInstance());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

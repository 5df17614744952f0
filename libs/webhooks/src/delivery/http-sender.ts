import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { APP_CONFIG, AppConfig } from '@app/config';
import { hostOf, TargetPolicy } from './target-policy';

const MAX_RESPONSE_TEXT = 4096;

export interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * Outgoing HTTP for webhooks, on node:http so that every connection goes through TargetPolicy's lookup.
 * Redirects are not followed (a 3xx is an answer, and not a success). Deliveries reuse connections (keep-alive:
 * a burst to one receiver does not pay a connection per message); a request on a reused connection that the
 * receiver had just closed is sent again once on a new one, as Node's documentation advises.
 */
@Injectable()
export class HttpSender implements OnApplicationShutdown {
  private readonly agents: { 'http:': http.Agent; 'https:': https.Agent };
  /** The system's CAs plus WEBHOOK_CA_FILE's, when set (receivers behind a private PKI). */
  private readonly ca?: string[];

  constructor(
    private readonly policy: TargetPolicy,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const file = config.webhooks.caFile;
    this.ca = file ? [...rootCertificates, readFileSync(file, 'utf8')] : undefined;
    // Idle connections are closed before the usual 5 s server keep-alive timeout, to make that race rare.
    this.agents = {
      'http:': new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 }),
      'https:': new https.Agent({ keepAlive: true, maxSockets: 256, timeout: 4000, ca: this.ca }),
    };
  }

  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<HttpAnswer> {
    return this.request('POST', url, { 'content-type': 'application/json', ...headers }, body, timeoutMs, true);
  }

  /** Whether anything answers at the URL (any status); used when a webhook is saved. */
  probe(url: string, timeoutMs: number): Promise<HttpAnswer> {
    return this.request('HEAD', url, {}, undefined, timeoutMs, false);
  }

  onApplicationShutdown(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }

  private request(method: string, raw: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number, reuse: boolean, retried = false): Promise<HttpAnswer> {
    const url = new URL(raw);
    // Literal addresses skip DNS, so the lookup hook would not see them: check them here.
    const host = hostOf(url);
    if (isIP(host)) {
      const p = this.policy.problem(host, host);
      if (p) return Promise.reject(new Error(p));
    }
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          lookup: this.policy.lookup as never,
          headers: {
            'user-agent': 'NotebookAutomationServer-Webhooks/1.0',
            ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
            ...headers,
          },
          agent: reuse ? this.agents[url.protocol as 'http:' | 'https:'] : false,
          ...(this.ca && url.protocol === 'https:' ? { ca: this.ca } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < MAX_RESPONSE_TEXT) chunks.push(c);
            size += c.length;
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_TEXT) });
          });
          res.on('error', (e) => {
            clearTimeout(timer);
            reject(e);
          });
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (req.reusedSocket && e.code === 'ECONNRESET' && !retried) {
          resolve(this.request(method, raw, headers, body, timeoutMs, false, true));
          return;
        }
        reject(new Error(describe(e)));
      });
      req.end(body);
    });
  }
}

function describe(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return `connection refused (${e.message.replace(/^connect ECONNREFUSED /, '')})`;
    case 'ENOTFOUND':
      return 'the host could not be resolved';
    case 'ECONNRESET':
      return 'the connection was reset';
    default:
      return e.message;
  }
}

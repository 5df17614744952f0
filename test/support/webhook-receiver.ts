import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP receiver on loopback for webhook tests. Records every POST per path; `respond` scripts the
 * status codes a path answers with, in order (the last one repeats). HEAD (the server's reachability
 * check) is answered 200 and not recorded.
 */
export class TestReceiver {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, number[]>();
  private readonly delays = new Map<string, number>();
  private server!: http.Server | https.Server;
  port = 0;
  private scheme = 'http';

  /** `tls`: serve https with this key and certificate (test/support/tls). */
  static async start(tls?: { key: string; cert: string }): Promise<TestReceiver> {
    const r = new TestReceiver();
    r.scheme = tls ? 'https' : 'http';
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        if (req.method !== 'POST') {
          res.writeHead(200).end();
          return;
        }
        r.received.push({ path, method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const script = r.scripts.get(path) ?? [200];
        const status = script.length > 1 ? script.shift()! : script[0];
        const answer = () => res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'thanks' : `failing with ${status}`);
        const delay = r.delays.get(path);
        if (delay) setTimeout(answer, delay);
        else answer();
      });
    };
    r.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.port = (r.server.address() as AddressInfo).port;
    return r;
  }

  url(path: string): string {
    return `${this.scheme}://127.0.0.1:${this.port}${path}`;
  }

  respond(path: string, statuses: number[]): void {
    this.scripts.set(path, [...statuses]);
  }

  /** Answers POSTs to `path` only after `ms` (a slow receiver: a request in flight). */
  slow(path: string, ms: number): void {
    this.delays.set(path, ms);
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

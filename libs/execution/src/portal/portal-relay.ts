import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { RunnerSession } from '../runner-backend/runner-backend';

/** A request the runner relays (runner/nbrunner/relay.py): `NBRUNNER RELAY {...}`. */
interface RelayRequest {
  id: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface RelayReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Only this server's API is reachable from a run: the sharing API and the admin API. */
const ALLOWED_PATHS = [/^\/sharing\/rest(\/|$)/, /^\/arcgis\/admin(\/|$)/, /^\/portaladmin(\/|$)/];
const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'HEAD']);
const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'authorization', 'x-esri-authorization', 'user-agent'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'content-disposition', 'content-security-policy', 'x-content-type-options'];
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
const TIMEOUT_MS = 120_000;

/**
 * The worker's side of the portal relay: forwards a run's requests to the api (PORTAL_INTERNAL_URL) with the
 * run's token, and answers on the runner's stdin. The container itself has no network; this is its only way out.
 */
@Injectable()
export class PortalRelay {
  private readonly log = new Logger('PortalRelay');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Serves the session's relayed requests until it ends; returns the unsubscribe function. */
  attach(session: RunnerSession, token: string | null): () => void {
    return session.on('RELAY', (m) => {
      const req = m.data as RelayRequest | undefined;
      if (!req || typeof req.id !== 'string') return;
      void this.answer(req, token)
        .catch((e: Error) => {
          this.log.warn(`relay: ${e.message}`);
          return errorReply(502, 'The portal could not be reached from the worker.');
        })
        .then((reply) => session.sendLine({ relay: { id: req.id, ...reply } }))
        .catch(() => undefined); // the runner is gone
    });
  }

  async answer(req: RelayRequest, token: string | null): Promise<RelayReply> {
    const method = String(req.method ?? '').toUpperCase();
    if (!METHODS.has(method)) return errorReply(405, `Method ${method} is not relayed.`);
    const base = new URL(this.config.execution.portalUrl);
    const url = typeof req.path === 'string' && req.path.startsWith('/') && !req.path.startsWith('//') ? new URL(req.path, base) : null;
    // URL resolves dot segments, so a path that climbs out of the API is seen as what it is.
    if (!url || url.origin !== base.origin || !ALLOWED_PATHS.some((p) => p.test(url.pathname))) {
      return errorReply(403, 'Only this server\'s sharing and admin API is reachable from a notebook.');
    }
    const headers: Record<string, string> = {};
    for (const h of FORWARDED_REQUEST_HEADERS) {
      const v = req.headers?.[h];
      if (typeof v === 'string') headers[h] = v;
    }
    if (token && !headers.authorization && !headers['x-esri-authorization'] && !url.searchParams.has('token')) {
      headers.authorization = `Bearer ${token}`;
    }
    const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(String(req.body ?? ''), 'base64');
    const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > MAX_RESPONSE_BYTES) return errorReply(502, `The answer is larger than ${MAX_RESPONSE_BYTES} bytes, the relay's limit.`);
    const out: Record<string, string> = {};
    for (const h of FORWARDED_RESPONSE_HEADERS) {
      const v = res.headers.get(h);
      if (v) out[h] = v;
    }
    return { status: res.status, headers: out, body: bytes.toString('base64') };
  }
}

/** The API's error JSON, so portal clients in the notebook read it as they read any error. */
function errorReply(status: number, message: string): RelayReply {
  const body = JSON.stringify({ error: { code: status, messageCode: 'RELAY', message, details: [] } });
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(body).toString('base64') };
}

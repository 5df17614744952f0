import type { NextFunction, Request, Response } from 'express';
import { DomainError } from './domain-error';

/**
 * Postgres text cannot hold U+0000, and no field of this API has a use for it: a request carrying one in its
 * path, query or body (keys included) is refused with 400 naming the field, before any handler reads it.
 * Multipart fields, parsed later, are checked by `Params` (parseParams).
 */
export function rejectNulBytes(req: Request, _res: Response, next: NextFunction): void {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return next(DomainError.invalid('INVALID_PARAMETERS', 'The request path is not valid percent-encoded UTF-8.', ['path: invalid percent-encoding']));
  }
  const bad = path.includes('\u0000') ? 'path' : (nulField(req.query, 'query') ?? nulField(req.body, ''));
  if (bad) return next(nulError(bad));
  next();
}

export function nulError(field: string): DomainError {
  return DomainError.invalid('INVALID_PARAMETERS', `Invalid parameters: ${field}: must not contain NUL characters`, [`${field}: must not contain NUL characters`]);
}

/** The first field (dotted path) whose key or string value contains U+0000, if any. */
export function nulField(v: unknown, at: string, depth = 0): string | undefined {
  if (typeof v === 'string') return v.includes('\u0000') ? at || 'request' : undefined;
  if (!v || typeof v !== 'object' || Buffer.isBuffer(v) || depth > 50) return undefined;
  for (const [k, x] of Object.entries(v)) {
    const here = at ? `${at}.${k}` : k;
    if (k.includes('\u0000')) return here;
    const found = nulField(x, here, depth + 1);
    if (found) return found;
  }
  return undefined;
}

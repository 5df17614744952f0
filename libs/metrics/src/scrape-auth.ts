import { timingSafeEqual } from 'node:crypto';

/** Whether an Authorization header carries the metrics token (compared in constant time). */
export function hasMetricsToken(authorization: string | undefined, token: string | undefined): boolean {
  if (!token || !authorization) return false;
  const m = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!m) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

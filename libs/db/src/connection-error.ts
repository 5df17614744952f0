/**
 * Whether an error means Postgres could not be reached or dropped the connection (as opposed to a refused
 * statement): such a call may succeed when retried, and a request meeting one gets 503, not 500.
 */
export function isDbUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown; driverError?: unknown } | null;
  if (!err || typeof err !== 'object') return false;
  if (err.driverError && err.driverError !== e && isDbUnavailable(err.driverError)) return true;
  const code = typeof err.code === 'string' ? err.code : '';
  // Node socket errors; SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect now).
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENOENT'].includes(code)) return true;
  if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  const msg = typeof err.message === 'string' ? err.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)|Connection is not established|terminating connection/i.test(
    msg,
  );
}

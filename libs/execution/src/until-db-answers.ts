import { Logger } from '@nestjs/common';
import { isDbUnavailable } from '@app/db';

export interface RetryOptions {
  /** For the log line while waiting. */
  what: string;
  log: Logger;
  /** Checked before each retry: true gives up (the process is shutting down) and rethrows. */
  stopped?: () => boolean;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Calls `fn` until Postgres answers: retried with exponential backoff (250 ms doubling, at most 5 s) while the
 * error says the database is unreachable, so an outcome held in memory is written once it is back. Any other
 * error is thrown at once.
 */
export async function untilDbAnswers<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  let delay = opts.firstDelayMs ?? 250;
  let warned = false;
  for (;;) {
    try {
      const v = await fn();
      if (warned) opts.log.log(`${opts.what}: the database answers again`);
      return v;
    } catch (e) {
      if (!isDbUnavailable(e) || opts.stopped?.()) throw e;
      if (!warned) opts.log.warn(`${opts.what}: the database does not answer (${(e as Error).message}); retrying until it does`);
      warned = true;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 5_000);
    }
  }
}

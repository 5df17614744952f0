import { Injectable, Logger } from '@nestjs/common';
import { RedisConnections } from '@app/queues';
import { DomainError } from '@app/rest';

/** Failed sign-ins allowed per username and per client address within the window. */
export const LOGIN_FAILURES_ALLOWED = 10;
export const LOGIN_WINDOW_SECONDS = 5 * 60;
/** A Redis that does not answer must not hang sign-in: throttling is skipped then. */
const REDIS_WAIT_MS = 1_000;

/**
 * Throttles password guessing for any sign-in (generateToken; the OAuth2 sign-in too): after 10 failures within
 * 5 minutes for one username, or from one address, further attempts get 429 until the window passes. Counted in
 * Redis, so every api node shares the counts. Never logs a password.
 */
@Injectable()
export class LoginThrottleService {
  private readonly log = new Logger('LoginThrottle');

  constructor(private readonly redis: RedisConnections) {}

  /** Throws 429 when the username or the address has used up its failures. */
  async check(username: string, address: string | undefined): Promise<void> {
    const keys = this.keys(username, address);
    const counts = await this.ask(() => this.redis.main.mget(...keys));
    if (!counts) return;
    const blocked = keys.find((_, i) => Number(counts[i] ?? 0) >= LOGIN_FAILURES_ALLOWED);
    if (!blocked) return;
    const ttl = (await this.ask(() => this.redis.main.ttl(blocked))) ?? LOGIN_WINDOW_SECONDS;
    throw new DomainError(
      'too_many',
      'TOO_MANY_SIGN_IN_FAILURES',
      `Too many failed sign-in attempts; try again in ${Math.max(1, ttl)} seconds.`,
    ).withRetryAfter(Math.max(1, ttl));
  }

  /** One more failure for the username and the address (the window starts at the first). */
  async failed(username: string, address: string | undefined): Promise<void> {
    const keys = this.keys(username, address);
    this.log.warn(`failed sign-in for '${username.slice(0, 128)}' from ${address ?? 'unknown address'}`);
    await this.ask(async () => {
      const m = this.redis.main.multi();
      for (const k of keys) m.incr(k).expire(k, LOGIN_WINDOW_SECONDS, 'NX');
      return m.exec();
    });
  }

  /** A successful sign-in clears the username's count (not the address's: one address may guess many names). */
  async succeeded(username: string): Promise<void> {
    await this.ask(() => this.redis.main.del(this.keys(username, undefined)[0]));
  }

  private keys(username: string, address: string | undefined): string[] {
    const base = `${this.redis.prefix}:login-fail`;
    const keys = [`${base}:user:${username.toLowerCase()}`];
    if (address) keys.push(`${base}:addr:${address}`);
    return keys;
  }

  private async ask<T>(fn: () => Promise<T>): Promise<T | null> {
    let t: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([fn(), new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error('no answer')), REDIS_WAIT_MS)))]);
    } catch (e) {
      this.log.warn(`sign-in throttling skipped: Redis: ${(e as Error).message}`);
      return null;
    } finally {
      clearTimeout(t);
    }
  }
}

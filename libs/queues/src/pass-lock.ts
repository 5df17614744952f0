import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RedisConnections } from './redis.module';

/**
 * Runs `fn` only if no other process holds the lock for this pass; housekeeping passes use it so
 * that only one node of the site does each one. The lock expires by itself if its holder dies.
 */
export async function onePassAtATime(redis: Redis, key: string, ttlMs: number, fn: () => Promise<void>): Promise<boolean> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return false;
  try {
    await fn();
  } finally {
    // Release only our own lock.
    await redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`, 1, key, token);
  }
  return true;
}

/** A housekeeping pass named `name`, done by one node of the site at a time; a failure is logged, not thrown. */
export async function housekeepingPass(redis: RedisConnections, name: string, ttlMs: number, log: Logger, pass: () => Promise<unknown>): Promise<void> {
  await onePassAtATime(redis.main, `${redis.prefix}:lock:${name}`, ttlMs, async () => {
    await pass();
  }).catch((e) => log.warn(`pass failed: ${(e as Error).message}`));
}

import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import IORedis, { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '@app/config';

export const REDIS = Symbol('REDIS');

/** Connections to Redis; BullMQ workers need their own blocking connection, made with `duplicate`. */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  readonly main: Redis;
  private readonly extra: Redis[] = [];
  private subscriber?: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.main = this.make();
  }

  /** A new connection (BullMQ workers and subscribers each need one of their own). */
  make(): Redis {
    const c = new IORedis(this.config.redis.url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
    c.on('error', () => undefined); // reconnects by itself; readiness reports the outage
    this.extra.push(c);
    return c;
  }

  /** Calls `listener` with every message published on `channel` (one subscriber connection per process, shared). */
  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    this.subscriber ??= this.make();
    this.subscriber.on('message', (ch: string, message: string) => {
      if (ch === channel) listener(message);
    });
    await this.subscriber.subscribe(channel);
  }

  /** Prefix every key and queue of this deployment (tests use one per run). */
  get prefix(): string {
    return this.config.redis.prefix;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.extra.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

@Global()
@Module({
  providers: [RedisConnections, { provide: REDIS, inject: [RedisConnections], useFactory: (r: RedisConnections) => r.main }],
  exports: [RedisConnections, REDIS],
})
export class RedisModule {}

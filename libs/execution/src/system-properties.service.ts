import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { SystemPropertyEntity } from '@app/db';
import { RedisConnections } from '@app/queues';
import { DomainError } from '@app/rest';
import { PROPERTY_DEFAULTS, SystemProperties, validateProperties } from './system-properties';

/** Reads and changes site properties (Postgres), and tells every process of a change (Redis pub/sub). */
@Injectable()
export class SystemPropertiesService implements OnApplicationShutdown {
  private subscriber?: Redis;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly redis: RedisConnections,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get channel() {
    return `${this.redis.prefix}:system-properties`;
  }

  async getAll(): Promise<SystemProperties> {
    const rows = await this.ds.manager.find(SystemPropertyEntity);
    const stored = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    return {
      maxExecuteNotebookContainersPerNode: this.config.execution.maxContainersPerNode,
      maxExecuteNotebookTimeMinutes: this.config.execution.maxRunMinutes,
      warmPoolSizePerRuntime: this.config.execution.warmPoolSize,
      ...PROPERTY_DEFAULTS,
      ...stored,
    } as SystemProperties;
  }

  async update(input: Record<string, unknown>): Promise<SystemProperties> {
    const { value, problems } = validateProperties(input);
    if (problems.length) throw DomainError.invalid('INVALID_PROPERTIES', `Invalid properties: ${problems.join('; ')}`, problems);
    await this.ds.transaction(async (m) => {
      for (const [key, v] of Object.entries(value)) {
        await m.upsert(SystemPropertyEntity, { key, value: v as never, modified: new Date() }, ['key']);
      }
    });
    const all = await this.getAll();
    await this.redis.main.publish(this.channel, JSON.stringify(all));
    return all;
  }

  /** Calls `listener` with the new properties whenever any process changes them. */
  async subscribe(listener: (p: SystemProperties) => void): Promise<void> {
    this.subscriber ??= this.redis.make();
    await this.subscriber.subscribe(this.channel);
    this.subscriber.on('message', (ch, msg) => {
      if (ch === this.channel) listener(JSON.parse(msg));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }
}

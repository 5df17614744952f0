import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { EventsService } from '@app/events';
import { FanoutJob, JOBS, QUEUES, RedisConnections } from '@app/queues';

/**
 * Hands the events every process records (after their commit, in EventsService's batches) to the fan-out queue:
 * one Redis round trip per batch, so the process that recorded them (often the api, busy with the requests that
 * caused them) does no fan-out work itself. Whichever worker takes the job first makes the deliveries and sends
 * their first attempts; many batches fan out at once, on every worker. A batch lost before it is queued (a crash)
 * is found by the housekeeping sweep (no fan-out mark).
 */
@Injectable()
export class FanoutQueue implements OnModuleInit, OnApplicationShutdown {
  readonly queue: Queue<FanoutJob>;

  constructor(
    private readonly events: EventsService,
    redis: RedisConnections,
  ) {
    this.queue = new Queue<FanoutJob>(QUEUES.fanout, {
      connection: redis.main,
      prefix: redis.prefix,
      // The fan-out is idempotent (one delivery per webhook and event), so a failed job may simply run again.
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
    });
  }

  onModuleInit(): void {
    this.events.onRecorded(async (batch) => {
      await this.queue.add(JOBS.fanout, { eventIds: batch.map((e) => e.id) });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

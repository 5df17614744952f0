import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DeliveryJob, JOBS, QUEUES, RedisConnections } from '@app/queues';

/**
 * The producer side of the delivery queue (separate from notebook runs). One job per delivery; BullMQ
 * retries it after the pause of the settings. The job id is derived from the delivery id, so
 * enqueueing a delivery twice is harmless.
 */
@Injectable()
export class DeliveryQueue implements OnApplicationShutdown {
  readonly queue: Queue<DeliveryJob>;

  constructor(redis: RedisConnections) {
    this.queue = new Queue<DeliveryJob>(QUEUES.deliveries, {
      connection: redis.main,
      prefix: redis.prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    });
  }

  async enqueue(d: { id: string; redeliveries: number; maxAttempts: number }, pauseSeconds: number): Promise<void> {
    await this.queue.add(
      JOBS.deliver,
      { deliveryId: d.id },
      {
        jobId: d.redeliveries ? `${d.id}-r${d.redeliveries}` : d.id,
        attempts: Math.max(1, d.maxAttempts),
        backoff: { type: 'fixed', delay: pauseSeconds * 1000 },
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

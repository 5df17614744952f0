import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DeliveryJob, JOBS, QUEUES, RedisConnections } from '@app/queues';

/** What names one attempt of a delivery: its id, how often it was redelivered, the attempts made so far. */
export interface AttemptRef {
  id: string;
  /** Null for a URL notification (a delivery of no webhook). */
  webhookId: string | null;
  redeliveries: number;
  attempts: number;
}

/**
 * The producer side of the delivery queue (separate from notebook runs), for every attempt but the first of a
 * fan-out (which the fanning-out worker sends itself). One job per attempt, its id derived
 * from the delivery, its redeliveries and its attempts so far, so queueing the same attempt twice is harmless.
 * The pause before a retry is the job's delay (the plan is on the delivery row, not in BullMQ's backoff), so a
 * retry schedule over hours survives restarts and the housekeeping pass can wake an attempt that is due.
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

  static jobId(d: AttemptRef): string {
    return `${d.id}-r${d.redeliveries}-a${d.attempts}`;
  }

  async enqueue(d: AttemptRef, delayMs = 0): Promise<void> {
    await this.queue.add(JOBS.deliver, { deliveryId: d.id, ...(d.webhookId ? { webhookId: d.webhookId } : {}) }, { jobId: DeliveryQueue.jobId(d), delay: Math.max(0, delayMs) });
  }

  /** An attempt that is due now: its delayed job runs at once; a lost job is queued again. */
  async wake(d: AttemptRef): Promise<void> {
    const job = await this.queue.getJob(DeliveryQueue.jobId(d));
    if (!job) return this.enqueue(d);
    if (await job.isDelayed()) await job.promote().catch(() => undefined); // it may have just started
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

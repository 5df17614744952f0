import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DeliveryBatchJob, DeliveryJob, JOBS, QUEUES, RedisConnections } from '@app/queues';

/** Deliveries per batch job: a burst is shared among workers, each job still saves many round trips. */
const BATCH = 50;

/** What names one attempt of a delivery: its id, how often it was redelivered, the attempts made so far. */
export interface AttemptRef {
  id: string;
  /** Null for a URL notification (a delivery of no webhook). */
  webhookId: string | null;
  redeliveries: number;
  attempts: number;
}

/**
 * The producer side of the delivery queue (separate from notebook runs). One job per attempt, its id derived
 * from the delivery, its redeliveries and its attempts so far, so queueing the same attempt twice is harmless.
 * The pause before a retry is the job's delay (the plan is on the delivery row, not in BullMQ's backoff), so a
 * retry schedule over hours survives restarts and the housekeeping pass can wake an attempt that is due.
 */
@Injectable()
export class DeliveryQueue implements OnApplicationShutdown {
  readonly queue: Queue<DeliveryJob | DeliveryBatchJob>;

  constructor(redis: RedisConnections) {
    this.queue = new Queue<DeliveryJob | DeliveryBatchJob>(QUEUES.deliveries, {
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

  /**
   * The first attempts of a fan-out, in batch jobs of up to BATCH deliveries, added in one round trip. (A lost
   * batch leaves its rows pending: the housekeeping pass queues them one by one.)
   */
  async enqueueFirstAttempts(ds: AttemptRef[]): Promise<void> {
    if (!ds.length) return;
    const jobs = [];
    for (let i = 0; i < ds.length; i += BATCH) {
      const part = ds.slice(i, i + BATCH);
      jobs.push({ name: JOBS.deliverBatch, data: { deliveries: part.map((d) => ({ deliveryId: d.id, ...(d.webhookId ? { webhookId: d.webhookId } : {}) })) }, opts: { jobId: `batch-${part[0].id}` } });
    }
    await this.queue.addBulk(jobs);
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

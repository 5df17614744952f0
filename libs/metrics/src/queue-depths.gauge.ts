import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QUEUES, RedisConnections } from '@app/queues';
import { Metrics } from './metrics.service';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Fills `nba_queue_jobs` for every queue of the contract at each scrape (the api reports it, once for the site). */
@Injectable()
export class QueueDepthsGauge implements OnApplicationShutdown {
  private readonly queues: Queue[];

  constructor(metrics: Metrics, redis: RedisConnections) {
    this.queues = Object.values(QUEUES).map((name) => new Queue(name, { connection: redis.main, prefix: redis.prefix }));
    metrics.onScrape(async () => {
      await Promise.all(
        this.queues.map(async (q) => {
          const counts = await q.getJobCounts(...STATES);
          for (const s of STATES) metrics.queueJobs.set({ queue: q.name, state: s }, counts[s] ?? 0);
        }),
      );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
  }
}

import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'bullmq';
import { FanoutJob, QUEUES, RedisConnections } from '@app/queues';
import { FanoutService } from './fanout.service';
import { WebhooksRepository } from '../webhooks.repository';

/** Batches of events fanned out at once per worker (each is a few statements; the sends run beside them). */
const CONCURRENCY = 4;

/** The consumer of the fan-out queue (worker process): the batch's events, re-read, fanned out here. */
@Injectable()
export class FanoutProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WebhookFanout');
  private worker?: Worker<FanoutJob>;

  constructor(
    private readonly fanout: FanoutService,
    private readonly repo: WebhooksRepository,
    private readonly redis: RedisConnections,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<FanoutJob>(QUEUES.fanout, async (job) => void (await this.fanout.fanOut(await this.repo.eventsByIds(job.data.eventIds))), {
      connection: this.redis.make(),
      prefix: this.redis.prefix,
      concurrency: CONCURRENCY,
    });
    this.worker.on('error', (err) => this.log.warn(`queue error: ${err.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}

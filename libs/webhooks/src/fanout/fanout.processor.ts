import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'bullmq';
import { FanoutJob, QUEUES, RedisConnections } from '@app/queues';
import { Batcher } from '../batcher';
import { FanoutService } from './fanout.service';
import { WebhooksRepository } from '../webhooks.repository';

/**
 * Fan-out jobs taken at once per worker. A job only waits for its batch, so many may be active: a trickle of
 * events makes a job each, and the queue must never hold them back (it did at 4, under a burst on a busy machine).
 */
const CONCURRENCY = 50;
/** Jobs fanned out together (each up to 200 events), and fan-outs in flight at once, per worker. */
const MAX_JOBS = 20;
const MAX_FANOUTS_IN_FLIGHT = 2;

/**
 * The consumer of the fan-out queue (worker process). The jobs active at once are fanned out together: while 2
 * fan-outs are running, the events of newly taken jobs wait, and the next fan-out re-reads and handles all of them
 * (a few statements however many jobs there were).
 */
@Injectable()
export class FanoutProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WebhookFanout');
  private worker?: Worker<FanoutJob>;
  private readonly batcher: Batcher<string[], void>;

  constructor(
    fanout: FanoutService,
    repo: WebhooksRepository,
    private readonly redis: RedisConnections,
  ) {
    this.batcher = new Batcher(
      async (jobs) => {
        await fanout.fanOut(await repo.eventsByIds(jobs.flat()));
        return jobs.map(() => undefined);
      },
      MAX_JOBS,
      MAX_FANOUTS_IN_FLIGHT,
    );
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker<FanoutJob>(QUEUES.fanout, (job) => this.batcher.add(job.data.eventIds), {
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

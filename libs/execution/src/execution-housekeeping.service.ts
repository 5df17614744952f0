import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { housekeepingPass, RedisConnections } from '@app/queues';
import { NodeLiveness } from './nodes/node-liveness';
import { RunFinisher } from './run-finisher';
import { RunQueue } from './run-queue';
import { RunsRepository } from './runs.repository';

/** Site-wide checks of runs, one node at a time: runs of dead nodes, and submitted runs whose job was lost. */
@Injectable()
export class ExecutionHousekeeping {
  private readonly log = new Logger('ExecutionHousekeeping');
  private readonly liveness: NodeLiveness;

  constructor(
    private readonly runs: RunsRepository,
    private readonly queue: RunQueue,
    private readonly finisher: RunFinisher,
    private readonly redis: RedisConnections,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.liveness = new NodeLiveness(config.execution.heartbeatSeconds);
  }

  @Interval('execution-housekeeping', 15_000)
  async tick(): Promise<void> {
    await housekeepingPass(this.redis, 'execution-housekeeping', 60_000, this.log, () => this.pass());
  }

  async pass(): Promise<void> {
    const now = this.clock.nowMs();
    for (const run of await this.runs.findProcessingOnSilentNodes(this.liveness.deadBefore(now))) {
      const msg = `The worker ${run.nodeName} stopped responding while this run was in progress.`;
      await this.finisher.finish(run.id, { status: 'FAILED', messages: [msg] });
    }
    // The job id is the run id, so this is a no-op for runs whose job is still queued.
    for (const run of await this.runs.findSubmittedBefore(new Date(now - 60_000))) await this.queue.enqueue(run.id);
  }
}

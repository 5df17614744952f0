import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { housekeepingPass, RedisConnections } from '@app/queues';
import { NodeLiveness } from './nodes/node-liveness';
import { RunFinisher } from './run-finisher';
import { RunQueue } from './run-queue';
import { RunsRepository } from './runs.repository';
import { cancelChannel } from './runs.service';

/** Past a run's deadline, the node kills its container within 15 s and records the outcome; this is well beyond. */
const PAST_DEADLINE_GRACE_MS = 2 * 60_000;

/** Site-wide checks of runs, one node at a time: runs of dead nodes, and submitted runs whose job was lost. */
@Injectable()
export class ExecutionHousekeeping implements OnModuleInit {
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

  /** Redis came back after an outage (perhaps empty): every SUBMITTED run's job is queued again at once. */
  onModuleInit(): void {
    let lost = false;
    this.redis.main.on('close', () => (lost = true));
    this.redis.main.on('ready', () => {
      if (!lost) return;
      lost = false;
      void this.requeueSubmitted(new Date(this.clock.nowMs() + 1))
        .then((n) => this.log.log(`Redis is back: re-queued ${n} submitted run(s)`))
        .catch((e) => this.log.warn(`re-queueing after a Redis outage: ${(e as Error).message}`));
    });
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
    // On a live node a run ends by its deadline (the node kills the container then); one still PROCESSING well
    // past it lost its way (e.g. its outcome could not be written and the process gave up).
    for (const run of await this.runs.findProcessingPastDeadline(new Date(now - PAST_DEADLINE_GRACE_MS))) {
      const msg = `The run did not finish within its deadline (${run.timeoutMinutes} minutes) on ${run.nodeName}; it was stopped.`;
      if (await this.finisher.finish(run.id, { status: 'FAILED', messages: [msg] })) {
        await this.redis.main.publish(cancelChannel(this.redis.prefix), run.id); // its container, if any, goes too
      }
    }
    await this.requeueSubmitted(new Date(now - 60_000));
  }

  /** The job id is the run id, so this is a no-op for runs whose job is still queued. */
  private async requeueSubmitted(before: Date): Promise<number> {
    const ids = (await this.runs.findSubmittedBefore(before)).map((r) => r.id);
    await this.queue.enqueueMany(ids);
    return ids.length;
  }
}

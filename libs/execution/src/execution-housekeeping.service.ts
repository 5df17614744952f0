import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { housekeepingPass, RedisConnections } from '@app/queues';
import { RunHooks } from './run-hooks';
import { RunQueue } from './run-queue';
import { RunsRepository } from './runs.repository';

/** Site-wide checks of runs, one node at a time: runs of dead nodes, and submitted runs whose job was lost. */
@Injectable()
export class ExecutionHousekeeping {
  private readonly log = new Logger('ExecutionHousekeeping');

  constructor(
    private readonly runs: RunsRepository,
    private readonly queue: RunQueue,
    private readonly hooks: RunHooks,
    private readonly redis: RedisConnections,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Interval('execution-housekeeping', 15_000)
  async tick(): Promise<void> {
    await housekeepingPass(this.redis, 'execution-housekeeping', 60_000, this.log, () => this.pass());
  }

  async pass(): Promise<void> {
    const now = this.clock.nowMs();
    const silentSince = new Date(now - 6 * this.config.execution.heartbeatSeconds * 1000);
    for (const run of await this.runs.findProcessingOnSilentNodes(silentSince)) {
      const msg = `The worker ${run.nodeName} stopped responding while this run was in progress.`;
      if (await this.runs.transition(run.id, ['PROCESSING'], { status: 'FAILED', finishedAt: this.clock.now() }, [msg])) {
        const fresh = await this.runs.findById(run.id);
        if (fresh) await this.hooks.finished(fresh);
      }
    }
    // The job id is the run id, so this is a no-op for runs whose job is still queued.
    for (const run of await this.runs.findSubmittedBefore(new Date(now - 60_000))) await this.queue.enqueue(run.id);
  }
}

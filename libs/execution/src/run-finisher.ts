import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/clock';
import { RunEntity, RunStatus } from '@app/db';
import { Metrics } from '@app/metrics';
import { RunProgress } from './progress/run-progress';
import { RunHooks } from './run-hooks';
import { runLogLine } from './run-log';
import { RunsRepository } from './runs.repository';

export interface RunOutcome {
  status: RunStatus;
  messages: string[];
  patch?: Partial<RunEntity>;
  artifacts?: { notebook: string; snapshotHtml: string };
}

/**
 * The one way a PROCESSING run is finished: outcome, messages and artifacts stored in one statement, then the
 * listeners (tasks, webhooks) told. Whoever gets there first wins; the others change nothing and tell no one.
 */
@Injectable()
export class RunFinisher {
  private readonly log = new Logger('Runs');

  constructor(
    private readonly runs: RunsRepository,
    private readonly hooks: RunHooks,
    private readonly metrics: Metrics,
    private readonly progress: RunProgress,
    private readonly clock: Clock,
  ) {}

  /** True when this call finished the run. */
  async finish(runId: string, outcome: RunOutcome): Promise<boolean> {
    const finishedAt = this.clock.now();
    const ok = await this.runs.finish(runId, { ...outcome.patch, status: outcome.status, finishedAt }, outcome.messages, outcome.artifacts);
    if (!ok) return false;
    const fresh = await this.runs.findById(runId);
    if (fresh) {
      this.count(fresh);
      void this.progress.status(fresh);
      this.log.log(runLogLine(fresh, fresh.status, { ms: fresh.startedAt ? finishedAt.getTime() - fresh.startedAt.getTime() : null, cancelled: fresh.cancelled }));
      await this.hooks.finished(fresh);
    }
    return true;
  }

  private count(run: RunEntity): void {
    const status = run.status === 'COMPLETED' ? 'completed' : run.cancelled ? 'cancelled' : (run.result as { status?: string } | null)?.status === 'timeout' ? 'timeout' : 'failed';
    const seconds = run.startedAt && run.finishedAt ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000 : null;
    this.metrics.runFinished(run.trigger, status, seconds);
  }
}

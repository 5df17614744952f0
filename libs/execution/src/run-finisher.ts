import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '@app/clock';
import { isDbUnavailable, RunEntity, RunStatus } from '@app/db';
import { Metrics } from '@app/metrics';
import { RunProgress } from './progress/run-progress';
import { RunHooks } from './run-hooks';
import { runLogLine } from './run-log';
import { RunsRepository } from './runs.repository';
import { untilDbAnswers } from './until-db-answers';

export interface RunOutcome {
  status: RunStatus;
  messages: string[];
  patch?: Partial<RunEntity>;
  artifacts?: { notebook: string; snapshotHtml: string };
}

/**
 * The one way a PROCESSING run is finished: outcome, messages and artifacts stored in one statement, then the
 * listeners (tasks, webhooks) told. Whoever gets there first wins; the others change nothing and tell no one.
 * While Postgres does not answer, the outcome is kept here and the write retried with backoff until it does
 * (or the process stops: the next start of this node, or housekeeping, then fails the run).
 */
@Injectable()
export class RunFinisher implements OnApplicationShutdown {
  private readonly log = new Logger('Runs');
  private stopping = false;

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
    const retry = { what: `finishing run ${runId}`, log: this.log, stopped: () => this.stopping };
    const write = (o: RunOutcome) => untilDbAnswers(() => this.runs.finish(runId, { ...o.patch, status: o.status, finishedAt }, o.messages, o.artifacts), retry);
    let ok: boolean;
    try {
      ok = await write(outcome);
    } catch (e) {
      if (isDbUnavailable(e)) throw e; // shutting down
      // Postgres refused the outcome itself (e.g. a NUL character in the output): the run still ends.
      this.log.error(`run ${runId}: outcome refused by the database: ${(e as Error).message}`);
      ok = await write({ status: 'FAILED', messages: [`The run's outcome could not be stored (${(e as Error).message}).`] });
    }
    if (!ok) return false;
    const fresh = await untilDbAnswers(() => this.runs.findById(runId), retry);
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

  onApplicationShutdown(): void {
    this.stopping = true;
  }
}

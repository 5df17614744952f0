import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { isDbUnavailable, RunEntity, RunError, RunStatus } from '@app/db';
import { TokensService, UsersRepository } from '@app/identity';
import { ItemsService, parseNotebook } from '@app/notebooks';
import { notebookToSave } from './notebook-output';
import { RunFinisher } from './run-finisher';
import { RunnerBackend, RunnerSession, RunnerUnavailableError, RunOutput } from './runner-backend/runner-backend';
import { RunsRepository } from './runs.repository';
import { SystemPropertiesService } from './system-properties.service';
import { untilDbAnswers } from './until-db-answers';
import { WarmPool } from './warm-pool';

/** Past the run's own timeout (which the runner enforces), how long before the container is killed. */
const KILL_GRACE_MS = 15_000;

interface ActiveRun {
  abort: AbortController;
  sessionId?: string;
}

/** Runs one notebook run in a fresh container and records the outcome. Safe to call twice for one run. */
@Injectable()
export class RunExecutor {
  private readonly log = new Logger('RunExecutor');
  readonly active = new Map<string, ActiveRun>();
  private stopping = false;

  constructor(
    private readonly runs: RunsRepository,
    private readonly backend: RunnerBackend,
    private readonly pool: WarmPool,
    private readonly items: ItemsService,
    private readonly users: UsersRepository,
    private readonly tokens: TokensService,
    private readonly finisher: RunFinisher,
    private readonly props: SystemPropertiesService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  cancel(runId: string): void {
    this.active.get(runId)?.abort.abort('cancelled');
  }

  /** Whether a run in progress holds this runner (by id). */
  holds(id: string): boolean {
    for (const a of this.active.values()) if (a.sessionId === id) return true;
    return false;
  }

  /** Stops every run in progress (the worker is shutting down and will not wait any longer). */
  stopAll(): void {
    this.stopping = true; // and no more waiting for Postgres: the next start of this node fails what is left
    for (const a of this.active.values()) a.abort.abort('shutdown');
  }

  async execute(runId: string): Promise<void> {
    // Registered before the claim: a cancel published the moment the run turns PROCESSING finds it.
    // Why: this replaces re-reading the run after start to catch a cancel that arrived meanwhile.
    const active: ActiveRun = { abort: new AbortController() };
    this.active.set(runId, active);
    let session: RunnerSession | undefined;
    let holding = false; // whether the pool counts this run as holding a container
    let run: RunEntity | null = null;
    let inputSent = false;
    try {
      const t0 = this.clock.nowMs();
      // Why in parallel: the claim is conditional (status SUBMITTED), so reading the row alongside
      // it saves a round trip; a run claimed by someone else is dropped below.
      const [claimed, found] = await Promise.all([
        this.runs.transition(runId, ['SUBMITTED'], { status: 'PROCESSING', nodeName: this.config.nodeName, startedAt: new Date(t0) }, [
          `Executing on ${this.config.nodeName}.`,
        ]),
        this.runs.findById(runId),
      ]);
      if (!claimed || !found) return; // done, cancelled or taken by another node
      run = found;
      // Why overlapped: the notebook read, the spec (token minting) and getting a container are independent.
      holding = true;
      const starting = this.container(run, active);
      const settled = await Promise.allSettled([this.items.dataOf(run.itemId), this.specOf(run), starting]);
      if (settled[2].status === 'fulfilled') session = settled[2].value.session; // so `finally` removes it
      for (const r of settled) if (r.status === 'rejected') throw r.reason;
      const [notebook, spec, got] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
        string | null,
        Record<string, unknown>,
        Awaited<typeof starting>,
      ];
      session = got.session;
      if (notebook === null) return await this.finish(run, 'FAILED', [`The notebook item '${run.itemId}' no longer exists.`]);
      if (!session.closed && !session.output) {
        inputSent = true; // from here on the notebook may have had side effects
        await session.send({ notebook, spec });
      }
      const sentAt = this.clock.nowMs();
      const out = await session.collect(run.timeoutMinutes * 60_000 + KILL_GRACE_MS, active.abort.signal);
      const outputAt = this.clock.nowMs();
      const timings = { claimMs: got.claimedAt - run.submittedAt.getTime(), acceptToInputMs: sentAt - run.submittedAt.getTime(), outputReceivedAt: outputAt };
      const claimedRun = run;
      await untilDbAnswers(() => this.record(claimedRun, out, { warm: got.warm, containerId: session!.id, timings }), this.retry(run.id));
    } catch (e) {
      if (!run) throw e; // not claimed (or the claim itself met a Postgres outage): the job is retried
      if (e instanceof RunnerUnavailableError || isDbUnavailable(e)) {
        // Nothing ran yet, or the run asks for it: back to the queue; BullMQ retries the job until the dependency answers.
        if (!inputSent || run.retryOnInfrastructureFailure) {
          const why = inputSent ? ' while the notebook was running; will retry (retryOnInfrastructureFailure).' : '; will retry.';
          await this.requeue(run, `${(e as Error).message} on ${this.config.nodeName}${why}`);
          throw e;
        }
        // It may have had side effects: not retried, and marked as not the notebook's fault.
        return await this.finish(
          run,
          'FAILED',
          [`${(e as Error).message} on ${this.config.nodeName} while the notebook was running; the run was not retried (set retryOnInfrastructureFailure to retry such runs).`],
          { result: { infrastructureFailure: true } },
        );
      }
      this.log.error(`run ${run.id}: ${(e as Error).stack}`);
      await this.finish(run, 'FAILED', [`Internal error while running the notebook: ${(e as Error).message}`]);
    } finally {
      await session?.dispose();
      this.active.delete(runId);
      // Only now: until the container is gone it counts towards the node's cap.
      if (holding) this.pool.release();
    }
  }

  private retry(runId: string) {
    return { what: `run ${runId}`, log: this.log, stopped: () => this.stopping };
  }

  /** Back to SUBMITTED (a fresh container, with a fresh name, on the next attempt). */
  private async requeue(run: RunEntity, message: string): Promise<void> {
    await untilDbAnswers(
      () => this.runs.transition(run.id, ['PROCESSING'], { status: 'SUBMITTED', nodeName: null, startedAt: null }, [message]),
      this.retry(run.id),
    );
  }

  /** A warm runner if the pool has one for the runtime, else a cold one started now (same spec either way). */
  private async container(run: RunEntity, active: ActiveRun): Promise<{ session: RunnerSession; warm: boolean; claimedAt: number }> {
    const claimedAt = this.clock.nowMs();
    const warm = await this.pool.take(run.runtime);
    if (warm) {
      active.sessionId = warm.id;
      warm.assign(run.id);
      return { session: warm, warm: true, claimedAt };
    }
    const session = await this.backend.acquire(run.runtime, { runId: run.id });
    active.sessionId = session.id;
    return { session, warm: false, claimedAt };
  }

  /** What the runner inside the container needs: parameters, payload, deadline, environment. */
  private async specOf(run: RunEntity): Promise<Record<string, unknown>> {
    const env: Record<string, string> = { NBA_RUN_ID: run.id, NBA_PORTAL_URL: `${this.config.http.publicUrl}/sharing/rest` };
    if (run.tokenUserId) {
      const user = await this.users.findById(run.tokenUserId);
      if (user && !user.disabled) {
        const t = this.tokens.issue({ sub: user.id, username: user.username, purpose: 'webhook' }, run.tokenMinutes ?? 60);
        env.NBA_TOKEN = t.token;
        env.NBA_TOKEN_EXPIRES = String(t.expires);
      }
    }
    return {
      parameters: run.parameters && Object.keys(run.parameters).length ? run.parameters : null,
      webhookPayload: run.webhookPayload ?? null,
      timeoutSeconds: run.timeoutMinutes * 60,
      env,
      outputLimitBytes: (await this.props.getAll()).maxRunOutputBytes,
    };
  }

  /** `host`: which container ran it, whether it was warm, and the worker's timings (epoch ms marks and durations). */
  private async record(
    run: RunEntity,
    out: RunOutput,
    host: { warm: boolean; containerId: string; timings: Record<string, number> },
  ): Promise<void> {
    const notebook = out.files.get('notebook.ipynb')?.toString('utf8');
    const html = out.files.get('snapshot.html')?.toString('utf8');
    const artifacts = notebook && html ? { notebook, snapshotHtml: html } : undefined;
    const result = parseJson(out.files.get('result.json')) as
      | { status: string; message?: string; error?: RunError | null; startedAt?: number; finishedAt?: number; timings?: Record<string, number> }
      | null;
    const timings: Record<string, number> = { ...(result?.timings ?? {}), ...host.timings };
    // accept → the runner starting the notebook, and the notebook's end → output here (the row's finished_at follows).
    if (result?.startedAt) timings.acceptToNotebookStartMs = result.startedAt - run.submittedAt.getTime();
    if (result?.finishedAt) timings.notebookEndToOutputMs = host.timings.outputReceivedAt - result.finishedAt;
    const timeoutMsg = `Notebook execution timed out after ${run.timeoutMinutes} minutes.`;
    const extra = {
      hasArtifacts: !!artifacts,
      result: { status: result?.status ?? null, containerId: host.containerId, warm: host.warm, timings },
    };

    // The engine stopped the runner (an engine restart): not the notebook's outcome.
    if (!result && out.interrupted && !out.killed) throw new RunnerUnavailableError(out.interrupted);
    if (out.killed === 'cancelled') return this.finish(run, 'FAILED', ['Cancelled while running.'], { ...extra, cancelled: true }, artifacts);
    if (out.killed === 'shutdown') return this.finish(run, 'FAILED', [`The worker ${this.config.nodeName} shut down while this run was in progress.`], extra, artifacts);
    if (out.killed === 'timeout' || result?.status === 'timeout') return this.finish(run, 'FAILED', [timeoutMsg], extra, artifacts);
    if (out.oomKilled && result?.status !== 'succeeded') {
      const oom = `The notebook ran out of memory: its container reached the ${this.config.execution.memoryMb} MiB limit (CONTAINER_MEMORY_MB) and was killed by the kernel's OOM killer.`;
      return this.finish(run, 'FAILED', [oom], { ...extra, ...(result?.error ? { error: result.error } : {}) }, artifacts);
    }
    if (result?.status === 'succeeded') {
      if (run.updatePortalItem && notebook) {
        const t = this.clock.nowMs();
        const refused = await this.saveToItem(run, notebook);
        timings.saveItemMs = this.clock.nowMs() - t;
        if (refused) return this.finish(run, 'FAILED', ['Notebook executed successfully.', refused], extra, artifacts);
      }
      return this.finish(run, 'COMPLETED', ['Notebook executed successfully.'], extra, artifacts);
    }
    if (result?.status === 'failed' && result.error) {
      const e = result.error;
      return this.finish(
        run,
        'FAILED',
        [`Error in cell ${e.cellIndex}: ${e.ename}: ${e.evalue}`, stripAnsi(e.traceback.join('\n'))],
        { ...extra, error: e },
        artifacts,
      );
    }
    const why = result?.message ?? `The runner exited with code ${out.exitCode} without a result.`;
    return this.finish(run, 'FAILED', [why, ...(result ? [] : [out.logs.slice(-2000)])].filter(Boolean), extra, artifacts);
  }

  /** Saves the executed notebook to its item; says why not when it is larger than an upload may be (the item stays as it was). */
  private async saveToItem(run: RunEntity, executed: string): Promise<string | undefined> {
    const parsed = parseNotebook(executed);
    if (!parsed.notebook) return;
    const text = JSON.stringify(notebookToSave(parsed.notebook, run.saveInjectedParameters), null, 1);
    const bytes = Buffer.byteLength(text, 'utf8');
    const max = this.config.limits.maxNotebookBytes;
    if (bytes > max) {
      const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
      return `The executed notebook (${mib(bytes)}) is larger than MAX_NOTEBOOK_BYTES (${mib(max)}), so it was not saved to the item; the item is unchanged. The snapshot and executed notebook are kept with this job.`;
    }
    if (await this.items.findById(run.itemId)) await this.items.saveRunOutput({ username: run.username, userId: run.ownerId }, run.itemId, text);
  }

  private async finish(
    run: RunEntity,
    status: RunStatus,
    messages: string[],
    patch: Partial<RunEntity> = {},
    artifacts?: { notebook: string; snapshotHtml: string },
  ): Promise<void> {
    await this.finisher.finish(run.id, { status, messages, patch, artifacts });
  }
}

function parseJson(b: Buffer | undefined): unknown {
  if (!b) return null;
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return null;
  }
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

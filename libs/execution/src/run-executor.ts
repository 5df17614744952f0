import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { isDbUnavailable, RunEntity, RunError, RunStatus, RuntimeEntity } from '@app/db';
import { TokensService, UsersRepository } from '@app/identity';
import { Metrics } from '@app/metrics';
import { ItemsService, parseNotebook } from '@app/notebooks';
import { DomainError } from '@app/rest';
import { RuntimesService } from '@app/runtimes';
import { notebookToSave } from './notebook-output';
import { PortalRelay } from './portal/portal-relay';
import { RunProgress } from './progress/run-progress';
import { RunFinisher } from './run-finisher';
import { runLogLine } from './run-log';
import { RunnerBackend, RunnerSession, RunnerUnavailableError, RunOutput } from './runner-backend/runner-backend';
import { RunsRepository } from './runs.repository';
import { RunSnapshots } from './snapshot/run-snapshots';
import { SystemPropertiesService } from './system-properties.service';
import { untilDbAnswers } from './until-db-answers';
import { WarmPool } from './warm-pool';

interface OutputFile {
  name: string;
  size: number;
}

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
    private readonly metrics: Metrics,
    private readonly progress: RunProgress,
    private readonly items: ItemsService,
    private readonly users: UsersRepository,
    private readonly tokens: TokensService,
    private readonly finisher: RunFinisher,
    private readonly runtimes: RuntimesService,
    private readonly relay: PortalRelay,
    private readonly props: SystemPropertiesService,
    private readonly snapshots: RunSnapshots,
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
      // Why in parallel: the claim is conditional (status SUBMITTED), so reading the row alongside it saves a round
      // trip; a run claimed by someone else is dropped below. Its runtime as it is now (limits changed since submit
      // apply) is looked up as soon as the row is read; unregistered meanwhile: the run fails, naming those left.
      const reading = this.runs.findById(runId);
      const resolving = reading.then((r) => (r ? this.runtimes.resolve(r.runtime).catch((e: unknown) => (e instanceof DomainError ? e : Promise.reject(e))) : null));
      resolving.catch(() => undefined); // awaited below, unless the claim fails first
      const [claimed, found] = await Promise.all([
        this.runs.transition(runId, ['SUBMITTED'], { status: 'PROCESSING', nodeName: this.config.nodeName, startedAt: new Date(t0) }, [
          `Executing on ${this.config.nodeName}.`,
        ]),
        reading,
      ]);
      if (!claimed || !found) return; // done, cancelled or taken by another node
      run = found;
      this.metrics.runStarted(run.trigger, (t0 - run.submittedAt.getTime()) / 1000);
      this.log.log(runLogLine({ ...run, nodeName: this.config.nodeName }, 'PROCESSING', { waitMs: t0 - run.submittedAt.getTime() }));
      void this.progress.status({ id: run.id, status: 'PROCESSING' });
      const runtime = (await resolving)!;
      if (runtime instanceof DomainError) return await this.finish(run, 'FAILED', [runtime.message]);
      // Why overlapped: the notebook read, the spec (token minting) and getting a container are independent.
      holding = true;
      const starting = this.container(run, runtime, active);
      const settled = await Promise.allSettled([this.items.dataOf(run.itemId), this.specOf(run), starting]);
      if (settled[2].status === 'fulfilled') session = settled[2].value.session; // so `finally` removes it
      for (const r of settled) if (r.status === 'rejected') throw r.reason;
      const [notebook, { spec, token }, got] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
        string | null,
        Awaited<ReturnType<RunExecutor['specOf']>>,
        Awaited<typeof starting>,
      ];
      session = got.session;
      session.on('PROGRESS', (m) => void this.progress.update(runId, m.data));
      if (notebook === null) return await this.finish(run, 'FAILED', [`The notebook item '${run.itemId}' no longer exists.`]);
      this.relay.attach(session, token); // ends with the session
      // Decided as the input goes: the exporter may have gone down since the container started.
      const snapshot = this.snapshots.mode();
      if (!session.closed && !session.output) {
        inputSent = true; // from here on the notebook may have had side effects
        await session.send({ notebook, spec: { ...spec, snapshot } });
      }
      const sentAt = this.clock.nowMs();
      const out = await session.collect(run.timeoutMinutes * 60_000 + KILL_GRACE_MS, active.abort.signal);
      const outputAt = this.clock.nowMs();
      const timings: Record<string, number> = { claimMs: got.claimedAt - run.submittedAt.getTime(), acceptToInputMs: sentAt - run.submittedAt.getTime(), outputReceivedAt: outputAt };
      // Rendered while the item is saved and the output files are kept (record waits for it before finishing).
      const exported = this.snapshots.complete(out.files, snapshot).then((x) => {
        if (x.ms !== undefined) timings.hostExportMs = x.ms;
        return x.note;
      });
      const claimedRun = run;
      const claimedSession = session;
      await untilDbAnswers(
        () => this.record(claimedRun, out, claimedSession, { warm: got.warm, containerId: claimedSession.id, timings, runtime, exported }),
        this.retry(run.id),
      );
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
    this.log.warn(runLogLine(run, 'SUBMITTED', { msg: `run ${run.id} back to the queue: ${message}` }));
    void this.progress.status({ id: run.id, status: 'SUBMITTED' });
  }

  /** A warm runner if the pool has one for the runtime, else a cold one started now (same spec either way). */
  private async container(
    run: RunEntity,
    runtime: RuntimeEntity,
    active: ActiveRun,
  ): Promise<{ session: RunnerSession; warm: boolean; claimedAt: number }> {
    const claimedAt = this.clock.nowMs();
    const warm = await this.pool.take(runtime);
    if (warm) {
      active.sessionId = warm.id;
      warm.assign(run.id);
      return { session: warm, warm: true, claimedAt };
    }
    const session = await this.backend.acquire(runtime, { runId: run.id });
    active.sessionId = session.id;
    return { session, warm: false, claimedAt };
  }

  /**
   * What the runner inside the container needs: parameters, payload, deadline, environment, and the portal:
   * the relay (NBA_PORTAL_URL points at it) and a token of the user the run acts for (the owner, or for a
   * notebook webhook whom `tokenTypeToSend` names), valid for the run's deadline and revoked when it ends.
   */
  private async specOf(run: RunEntity): Promise<{ spec: Record<string, unknown>; token: string | null }> {
    const portal = `${this.config.http.publicUrl}/sharing/rest`;
    // NBA_PORTAL_URL is replaced by the relay's address in the container; the public one stays for links.
    const env: Record<string, string> = { NBA_RUN_ID: run.id, NBA_PORTAL_URL: portal, NBA_PORTAL_PUBLIC_URL: portal };
    let token: string | null = null;
    const tokenUserId = run.tokenUserId ?? (run.trigger === 'webhook' ? null : run.ownerId);
    const user = tokenUserId ? await this.users.findById(tokenUserId) : null;
    if (user && !user.disabled) {
      const deadlineMinutes = Math.ceil(run.timeoutMinutes + KILL_GRACE_MS / 60_000);
      const minutes = Math.min(run.tokenMinutes ?? deadlineMinutes, deadlineMinutes);
      const t = this.tokens.issue({ sub: user.id, username: user.username, purpose: 'run', run: run.id }, minutes);
      token = t.token;
      env.NBA_TOKEN = t.token;
      env.NBA_TOKEN_EXPIRES = String(t.expires);
    }
    const spec = {
      parameters: run.parameters && Object.keys(run.parameters).length ? run.parameters : null,
      webhookPayload: run.webhookPayload ?? null,
      timeoutSeconds: run.timeoutMinutes * 60,
      env,
      relay: true,
      outputFiles: this.config.execution.outputFiles,
      outputLimitBytes: (await this.props.getAll()).maxRunOutputBytes,
    };
    return { spec, token };
  }

  /**
   * `host`: which container ran it, whether it was warm, the worker's timings (epoch ms marks and durations), and
   * `exported`: settles once snapshot.html is among the files, with the note to add when it is the plain one (the
   * item save and the output files overlap it).
   */
  private async record(
    run: RunEntity,
    out: RunOutput,
    session: RunnerSession,
    host: { warm: boolean; containerId: string; timings: Record<string, number>; runtime: RuntimeEntity; exported: Promise<string | undefined> },
  ): Promise<void> {
    const notebook = out.files.get('notebook.ipynb')?.toString('utf8');
    const result = parseJson(out.files.get('result.json')) as
      | {
          status: string;
          message?: string;
          error?: RunError | null;
          startedAt?: number;
          finishedAt?: number;
          timings?: Record<string, number>;
          outputFiles?: { kept: OutputFile[]; dropped: OutputFile[] };
        }
      | null;
    // The item is saved only for a run that succeeded (and was not stopped meanwhile): decided as below.
    const saving = !out.killed && result?.status === 'succeeded' && run.updatePortalItem && notebook ? this.timed(() => this.saveToItem(run, notebook)) : undefined;
    const [files, saved, note] = await Promise.all([this.keepOutputFiles(run, session, result?.outputFiles), saving, host.exported]);
    if (note && result) result.message = result.message ? `${result.message} (${note})` : note;
    const html = out.files.get('snapshot.html')?.toString('utf8');
    const artifacts = notebook && html ? { notebook, snapshotHtml: html } : undefined;
    const timings: Record<string, number> = { ...(result?.timings ?? {}), ...host.timings };
    // accept → the runner starting the notebook, and the notebook's end → output here (the row's finished_at follows).
    if (result?.startedAt) timings.acceptToNotebookStartMs = result.startedAt - run.submittedAt.getTime();
    if (result?.finishedAt) timings.notebookEndToOutputMs = host.timings.outputReceivedAt - result.finishedAt;
    const timeoutMsg = `Notebook execution timed out after ${run.timeoutMinutes} minutes.`;
    const extra = {
      hasArtifacts: !!artifacts,
      result: { status: result?.status ?? null, containerId: host.containerId, warm: host.warm, timings, outputFiles: files.kept },
    };
    const withFiles = (messages: string[]) => [...messages, ...files.messages];

    // The engine stopped the runner (an engine restart): not the notebook's outcome.
    if (!result && out.interrupted && !out.killed) throw new RunnerUnavailableError(out.interrupted);
    if (out.killed === 'cancelled') return this.finish(run, 'FAILED', withFiles(['Cancelled while running.']), { ...extra, cancelled: true }, artifacts);
    if (out.killed === 'shutdown') return this.finish(run, 'FAILED', [`The worker ${this.config.nodeName} shut down while this run was in progress.`], extra, artifacts);
    if (out.killed === 'timeout' || result?.status === 'timeout') return this.finish(run, 'FAILED', withFiles([timeoutMsg]), extra, artifacts);
    if (out.oomKilled && result?.status !== 'succeeded') {
      const rt = host.runtime;
      const oom = `The notebook ran out of memory: its container reached the ${rt.maxMemory} ${MEMORY_UNITS[rt.maxMemoryUnit]} limit of its runtime '${rt.name}' (maxMemory) and was killed by the kernel's OOM killer.`;
      return this.finish(run, 'FAILED', withFiles([oom]), { ...extra, ...(result?.error ? { error: result.error } : {}) }, artifacts);
    }
    if (result?.status === 'succeeded') {
      if (saved) {
        timings.saveItemMs = saved.ms;
        if (saved.value) return this.finish(run, 'FAILED', ['Notebook executed successfully.', saved.value], extra, artifacts);
      }
      return this.finish(run, 'COMPLETED', withFiles(['Notebook executed successfully.']), extra, artifacts);
    }
    if (result?.status === 'failed' && result.error) {
      const e = result.error;
      return this.finish(
        run,
        'FAILED',
        withFiles([`Error in cell ${e.cellIndex}: ${e.ename}: ${e.evalue}`, stripAnsi(e.traceback.join('\n'))]),
        { ...extra, error: e },
        artifacts,
      );
    }
    const why = result?.message ?? `The runner exited with code ${out.exitCode} without a result.`;
    return this.finish(run, 'FAILED', [why, ...(result ? [] : [out.logs.slice(-2000)])].filter(Boolean), extra, artifacts);
  }

  private async timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const t0 = this.clock.nowMs();
    const value = await fn();
    return { value, ms: this.clock.nowMs() - t0 };
  }

  /**
   * Stores the files the runner kept (they come out of the container through the backend) and says which
   * were dropped over the limits. A failure here loses the files, not the run.
   */
  private async keepOutputFiles(
    run: RunEntity,
    session: RunnerSession,
    listed: { kept: OutputFile[]; dropped: OutputFile[] } | undefined,
  ): Promise<{ kept: OutputFile[]; messages: string[] }> {
    const messages: string[] = [];
    let kept: OutputFile[] = [];
    if (listed?.kept.length) {
      try {
        const contents = await session.outputFiles();
        kept = listed.kept.filter((f) => contents.has(f.name));
        await this.runs.saveFiles(run.id, kept.map((f) => ({ ...f, content: contents.get(f.name)! })));
      } catch (e) {
        kept = [];
        messages.push(`The run's output files could not be kept: ${(e as Error).message}`);
      }
    }
    if (listed?.dropped.length) {
      const { maxBytes, maxCount } = this.config.execution.outputFiles;
      const names = listed.dropped.map((f) => f.name);
      messages.push(
        `Output files over the limit (${Math.round(maxBytes / 1024 / 1024)} MiB, ${maxCount} files) were not kept: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ` and ${names.length - 20} more` : ''}.`,
      );
    }
    return { kept, messages };
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

const MEMORY_UNITS: Record<RuntimeEntity['maxMemoryUnit'], string> = { b: 'bytes', k: 'KiB', m: 'MiB', g: 'GiB' };

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { ItemEntity, newId, NotificationTargets, RunEntity, RunTrigger } from '@app/db';
import { isAdmin, Principal } from '@app/identity';
import { ItemsService, NOTEBOOK_TYPE, parseNotebook } from '@app/notebooks';
import { RedisConnections } from '@app/queues';
import { RuntimesService } from '@app/runtimes';
import { DomainError } from '@app/rest';
import { parameterProblems } from './python-literal';
import { runLogLine } from './run-log';
import { RunProgress } from './progress/run-progress';
import { RunQueue } from './run-queue';
import { RunsRepository } from './runs.repository';
import { SystemProperties } from './system-properties';
import { SystemPropertiesService } from './system-properties.service';
import { withTimeout } from './with-timeout';

/** Within the request deadline (REQUEST_DEADLINE_MS), with time left to answer. */
const ENQUEUE_DEADLINE_MS = 5_000;

/** What a run needs to know of its notebook: the runtime it names (null: none), or why it cannot run. */
interface NotebookFacts {
  item: ItemEntity | null;
  runtime?: string | null | DomainError;
}

export interface SubmitRun {
  trigger: RunTrigger;
  itemId: string;
  owner: { id: string; username: string };
  parameters?: Record<string, unknown> | null;
  webhookPayload?: unknown;
  tokenUserId?: string | null;
  tokenMinutes?: number | null;
  updatePortalItem?: boolean;
  saveInjectedParameters?: boolean;
  timeoutMinutes?: number;
  retryOnInfrastructureFailure?: boolean;
  /** Idempotency key: a second submit with the same key (and owner) returns the first run. */
  requestKey?: string | null;
  /** A runtime id or name chosen by the caller; else the notebook's `metadata.runtime`, else the site's default. */
  runtime?: string | null;
  taskId?: string | null;
  webhookId?: string | null;
  notifications?: NotificationTargets | null;
}

/** Creates runs, cancels them and reads them: the producer side of execution, used by every trigger. */
@Injectable()
export class RunsService {
  private readonly log = new Logger('Runs');

  constructor(
    private readonly runs: RunsRepository,
    private readonly queue: RunQueue,
    private readonly items: ItemsService,
    private readonly props: SystemPropertiesService,
    private readonly redis: RedisConnections,
    private readonly runtimes: RuntimesService,
    private readonly progress: RunProgress,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks the request, stores the run as SUBMITTED and queues it. Nothing is stored when a check fails. */
  async submit(req: SubmitRun): Promise<RunEntity> {
    if (req.requestKey) {
      const first = await this.runs.findByRequestKey(req.owner.id, req.requestKey);
      if (first) return first;
    }
    const run = await this.prepare(req);
    try {
      await this.runs.insert(run);
    } catch (e) {
      // The same key submitted twice at once: the other insert won; answer its run.
      const first = req.requestKey && (e as { code?: string }).code === '23505' ? await this.runs.findByRequestKey(req.owner.id, req.requestKey) : null;
      if (!first) throw e;
      return first;
    }
    try {
      await withTimeout(this.queue.enqueue(run.id), ENQUEUE_DEADLINE_MS, 'no answer from the queue');
    } catch {
      // The caller is told nothing was submitted, so nothing may run: the row goes (a job that still reaches
      // Redis later finds no run and does nothing).
      await this.runs.deleteByIds([run.id]).catch(() => undefined);
      throw new DomainError('unavailable', 'QUEUE_UNAVAILABLE', 'The run queue (Redis) is not answering; nothing was submitted. Try again shortly.');
    }
    this.log.log(runLogLine(run, 'SUBMITTED'));
    return run;
  }

  /** Builds a valid run row without storing it (tasks store it in their own transaction). */
  async prepare(req: SubmitRun): Promise<RunEntity> {
    return this.preparer()(req);
  }

  /**
   * `prepare` for many runs at once (a scheduler tick): the properties are read once, and each notebook read and
   * checked once however many runs name it.
   */
  preparer(): (req: SubmitRun) => Promise<RunEntity> {
    let props: Promise<SystemProperties> | undefined;
    const notebooks = new Map<string, Promise<NotebookFacts>>();
    const runtimes = new Map<string | null, Promise<string | DomainError>>();
    const runtimeId = (ref: string | null) => {
      let r = runtimes.get(ref);
      if (!r) {
        r = this.runtimes.resolve(ref).then(
          (x) => x.id,
          (e: unknown) => (e instanceof DomainError ? e : Promise.reject(e)),
        );
        runtimes.set(ref, r);
      }
      return r;
    };
    return async (req) => {
      props ??= this.props.getAll();
      let facts = notebooks.get(req.itemId);
      if (!facts) notebooks.set(req.itemId, (facts = this.notebookFacts(req.itemId)));
      const [p, f] = await Promise.all([props, facts]);
      const runtime = f.runtime instanceof DomainError || f.runtime === undefined ? f.runtime : await runtimeId(req.runtime ?? f.runtime);
      return this.build(req, p, { ...f, runtime });
    };
  }

  private async notebookFacts(itemId: string): Promise<NotebookFacts> {
    // Why in parallel: the item and the notebook text are independent reads.
    const [item, data] = await Promise.all([this.items.findById(itemId), this.items.dataOf(itemId)]);
    if (!item || item.type !== NOTEBOOK_TYPE) return { item };
    try {
      const named = this.runtimeOf(itemId, data);
      return { item, runtime: named.ref ?? (named.esri ? await this.runtimes.matchEsriRuntime(named.esri) : null) };
    } catch (e) {
      if (e instanceof DomainError) return { item, runtime: e };
      throw e;
    }
  }

  private build(req: SubmitRun, props: SystemProperties, { item, runtime }: NotebookFacts): RunEntity {
    if (!item) throw DomainError.notFound('Item', req.itemId);
    if (item.type !== NOTEBOOK_TYPE) throw DomainError.invalid('NOT_A_NOTEBOOK', `Item '${req.itemId}' is a ${item.type}, not a Notebook.`);
    const problems = parameterProblems(req.parameters ?? {});
    if (problems.length) {
      throw DomainError.invalid('INVALID_NOTEBOOK_PARAMETERS', `Invalid notebookParameters: ${problems.join('; ')}`, problems);
    }
    const { maxExecuteNotebookTimeMinutes: max } = props;
    const timeout = req.timeoutMinutes ?? max;
    if (!(timeout > 0) || timeout > max) {
      throw DomainError.invalid('INVALID_TIMEOUT', `executionTimeoutInMinutes must be greater than 0 and at most ${max} (got ${timeout}).`);
    }
    if (runtime instanceof DomainError) throw runtime;
    if (!runtime) throw new Error('runtime not resolved');
    const now = this.clock.now();
    return Object.assign(new RunEntity(), {
      id: newId(),
      trigger: req.trigger,
      itemId: req.itemId,
      ownerId: req.owner.id,
      username: req.owner.username,
      runtime,
      parameters: req.parameters ?? null,
      webhookPayload: req.webhookPayload ?? null,
      tokenUserId: req.tokenUserId ?? null,
      tokenMinutes: req.tokenMinutes ?? null,
      updatePortalItem: req.updatePortalItem ?? true,
      saveInjectedParameters: req.saveInjectedParameters ?? false,
      timeoutMinutes: timeout,
      retryOnInfrastructureFailure: req.retryOnInfrastructureFailure ?? false,
      requestKey: req.requestKey ?? null,
      status: 'SUBMITTED',
      cancelled: false,
      nodeName: null,
      messages: [`Submitted by ${req.trigger} at ${now.toISOString()}`],
      error: null,
      result: null,
      hasArtifacts: false,
      taskId: req.taskId ?? null,
      webhookId: req.webhookId ?? null,
      notifications: req.notifications ?? null,
      submittedAt: now,
      startedAt: null,
      finishedAt: null,
    });
  }

  /**
   * The runtime a notebook names (id or name) in `metadata.runtime` or `metadata.nbautomation.runtime`; else the
   * name an ArcGIS notebook carries (`metadata.esriNotebookRuntime.notebookRuntimeName`), matched leniently.
   */
  private runtimeOf(itemId: string, data: string | null): { ref: string | null; esri?: string } {
    const parsed = parseNotebook(data ?? '');
    if (!parsed.notebook) throw DomainError.invalid('INVALID_NOTEBOOK', `Item '${itemId}' does not hold a valid notebook.`, parsed.problems);
    const md = parsed.notebook.metadata as {
      runtime?: unknown;
      nbautomation?: { runtime?: unknown };
      esriNotebookRuntime?: { notebookRuntimeName?: unknown };
    };
    const name = md.nbautomation?.runtime ?? md.runtime ?? null;
    if (name !== null && typeof name !== 'string') {
      throw DomainError.invalid('UNKNOWN_RUNTIME', `The notebook's metadata.runtime must be a runtime's name or id (got ${JSON.stringify(name)}).`);
    }
    const esri = md.esriNotebookRuntime?.notebookRuntimeName;
    return { ref: name, esri: typeof esri === 'string' ? esri : undefined };
  }

  async getVisible(p: Principal, id: string): Promise<RunEntity> {
    const run = await this.runs.findById(id);
    if (!run || (!isAdmin(p) && run.ownerId !== p.id)) throw DomainError.notFound('Job', id);
    return run;
  }

  list(p: Principal, num: number, newestFirst: boolean, start = 1) {
    return this.runs.page({ ownerId: isAdmin(p) ? undefined : p.id, num, start, newestFirst });
  }

  /**
   * A queued run is dropped; a running one is killed by the node that runs it (told over Redis).
   * Cancelling a finished run changes nothing.
   */
  async cancel(run: RunEntity): Promise<void> {
    const now = this.clock.now();
    if (await this.runs.transition(run.id, ['SUBMITTED'], { status: 'FAILED', cancelled: true, finishedAt: now }, ['Cancelled before it started.'])) {
      await this.queue.drop(run.id);
      this.log.log(runLogLine(run, 'FAILED', { cancelled: true, msg: `run ${run.id} cancelled before it started` }));
      void this.progress.status({ id: run.id, status: 'FAILED' });
      return;
    }
    const fresh = await this.runs.findById(run.id);
    if (fresh?.status === 'PROCESSING') {
      await this.runs.setCancelled(run.id);
      await this.redis.main.publish(cancelChannel(this.redis.prefix), run.id);
    }
  }

  deleteFinished(p: Principal): Promise<number> {
    return this.runs.deleteFinished(isAdmin(p) ? undefined : p.id);
  }

  artifacts(runId: string) {
    return this.runs.findArtifacts(runId);
  }

  file(runId: string, name: string) {
    return this.runs.findFile(runId, name);
  }
}

export const cancelChannel = (prefix: string) => `${prefix}:run-cancel`;

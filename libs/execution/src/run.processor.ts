import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { RuntimeEntity } from '@app/db';
import { RuntimesService } from '@app/runtimes';
import { Metrics } from '@app/metrics';
import { QUEUES, RedisConnections, RunJob } from '@app/queues';
import { WorkerNodeService } from './nodes/worker-node.service';
import { RunExecutor } from './run-executor';
import { HtmlExporter } from './runner-backend/html-exporter';
import { RunnerBackend } from './runner-backend/runner-backend';
import { cancelChannel } from './runs.service';
import { SystemPropertiesService } from './system-properties.service';
import { SystemProperties } from './system-properties';
import { RuntimeManifestReader } from './runtimes/runtime-manifest-reader';
import { WarmPool } from './warm-pool';
import { withTimeout } from './with-timeout';

const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Takes runs off the queue, at most `maxExecuteNotebookContainersPerNode` at once on this node.
 * The cap follows the site property live (pub/sub, and re-read at every heartbeat). The node's registration and
 * heartbeat are WorkerNodeService's.
 *
 * Why one BullMQ Worker of concurrency 1 per slot rather than one Worker whose `concurrency` is set: a busy Worker
 * only looks at a raised concurrency once one of its jobs ends, so with every slot held by long runs a raised cap
 * would start nothing for as long as they last. A new slot starts taking runs at once; a retired one takes no more
 * and closes when its run ends.
 */
@Injectable()
export class RunProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('RunProcessor');
  private slots: Worker<RunJob>[] = [];
  private readonly retiring = new Set<Promise<void>>();
  /** Non-blocking commands of every slot; each slot's Worker makes its own blocking connection. */
  private connection?: Redis;
  private taking = false;
  /** Runs this process is executing (a retired slot's run counts until it ends). */
  private running = 0;
  private cancels?: Redis;
  private cap = 1;
  /** The site's runtimes, re-read at every heartbeat (the warm pool keeps containers for them). */
  private runtimeList: RuntimeEntity[] = [];

  constructor(
    private readonly executor: RunExecutor,
    private readonly backend: RunnerBackend,
    private readonly pool: WarmPool,
    private readonly node: WorkerNodeService,
    private readonly props: SystemPropertiesService,
    private readonly redis: RedisConnections,
    private readonly runtimes: RuntimesService,
    private readonly manifests: RuntimeManifestReader,
    private readonly exporter: HtmlExporter,
    metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    metrics.onScrape(() => {
      const node = this.config.nodeName;
      metrics.runsInProgress.set({ node }, this.executor.active.size);
      metrics.runCap.set({ node }, this.cap);
      metrics.warmReady.set({ node }, this.pool.readyCount);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.node.register();
    // After the reconcile (which removes a previous process's exporter), before taking runs; never fails the start.
    if (this.config.execution.snapshotExport === 'host') await this.exporter.start();
    const props = await this.props.getAll();
    this.cap = props.maxExecuteNotebookContainersPerNode;
    this.connection = this.redis.make();
    await this.props.subscribe((p) => this.apply(p));
    this.cancels = this.redis.make();
    await this.cancels.subscribe(cancelChannel(this.redis.prefix));
    this.cancels.on('message', (_, runId: string) => this.executor.cancel(runId));
    this.runtimeList = await this.runtimes.list();
    this.apply(props);
    await this.node.startHeartbeat(() => this.report());
    this.taking = true;
    this.resize();
    this.log.log(`node ${this.config.nodeName} taking runs, at most ${this.cap} at once`);
  }

  /** Applies a (possibly changed) cap and pool size without a restart. */
  private apply(p: SystemProperties): void {
    if (this.cap !== p.maxExecuteNotebookContainersPerNode && this.taking) this.log.log(`cap is now ${p.maxExecuteNotebookContainersPerNode}`);
    this.cap = p.maxExecuteNotebookContainersPerNode;
    this.resize();
    this.pool.configure({ sizePerRuntime: p.warmPoolSizePerRuntime, cap: this.cap, runtimes: this.runtimeList });
  }

  /** One taking slot per unit of the cap. */
  private resize(): void {
    if (!this.taking) return;
    while (this.slots.length < this.cap) this.slots.push(this.slot());
    while (this.slots.length > this.cap) {
      const closing = this.slots.pop()!.close().catch((e) => this.log.warn(`closing a slot: ${(e as Error).message}`));
      this.retiring.add(closing);
      void closing.finally(() => this.retiring.delete(closing));
    }
  }

  private slot(): Worker<RunJob> {
    const w = new Worker<RunJob>(QUEUES.runs, (job: Job<RunJob>) => this.process(job), {
      connection: this.connection!,
      prefix: this.redis.prefix,
      concurrency: 1,
    });
    w.on('failed', (job, err) => this.log.warn(`job ${job?.id} will be retried: ${err.message}`));
    w.on('error', (err) => this.log.warn(`queue error: ${err.message}`));
    return w;
  }

  private async process(job: Job<RunJob>): Promise<void> {
    // After the cap was lowered, runs started under the old cap may still be going: start none until below it.
    while (this.running >= this.cap && this.taking) await new Promise((r) => setTimeout(r, 200));
    if (!this.taking) throw new Error(`node ${this.config.nodeName} is shutting down; the run goes back to the queue`);
    this.running++;
    try {
      await this.executor.execute(job.data.runId);
    } finally {
      this.running--;
    }
  }

  /** At each heartbeat: the properties and runtimes re-read, the engine pinged, leftovers of an engine restart removed, the images listed, the pool topped up. */
  private async report() {
    const [props, runtimes] = await Promise.all([this.props.getAll(), this.runtimes.list()]);
    this.runtimeList = runtimes;
    this.apply(props);
    // The beat says the node is alive: an engine that is slow to answer (restarting, say) must not hold it back, or
    // the node would look dead and its runs be failed. Docker's part gets one beat; what is still pending goes on.
    const docker = await withTimeout(this.dockerReport(runtimes), this.config.execution.heartbeatSeconds * 1000, 'the Docker engine').catch(() => ({
      dockerOk: false,
      images: {},
    }));
    const report = { cap: this.cap, running: this.executor.active.size, ...docker, warmContainers: this.pool.idle };
    if (docker.dockerOk) void this.pool.refill();
    return report;
  }

  private async dockerReport(runtimes: RuntimeEntity[]): Promise<{ dockerOk: boolean; images: Record<string, string> }> {
    if (!(await this.backend.ping())) return { dockerOk: false, images: {} };
    await this.pool.dropClosed();
    await this.node.tidy((id) => this.executor.holds(id) || this.pool.holds(id));
    return { dockerOk: true, images: await this.manifests.images(runtimes).catch(() => ({})) };
  }

  async onApplicationShutdown(): Promise<void> {
    this.node.stopHeartbeat();
    // Let short runs finish; stop the rest after a grace period so shutdown is bounded.
    const stop = setTimeout(() => this.executor.stopAll(), SHUTDOWN_GRACE_MS);
    this.taking = false;
    const slots = this.slots;
    this.slots = [];
    await Promise.all([...slots.map((w) => w.close()), ...this.retiring]);
    clearTimeout(stop);
    await this.pool.drain();
    await this.exporter.stop();
    await this.cancels?.quit().catch(() => undefined);
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { WorkerNodeEntity } from '@app/db';
import { QUEUES, RedisConnections, RunJob } from '@app/queues';
import { ContainersService } from './containers.service';
import { RunExecutor } from './run-executor';
import { RunHooks } from './run-hooks';
import { RunsRepository } from './runs.repository';
import { cancelChannel } from './runs.service';
import { SystemPropertiesService } from './system-properties.service';
import { SystemProperties } from './system-properties';
import { WarmPool } from './warm-pool';

const SHUTDOWN_GRACE_MS = 10_000;

/**
 * The worker node: takes runs off the queue, at most `maxExecuteNotebookContainersPerNode` at once.
 * The cap follows the site property live (pub/sub, and re-read at every heartbeat).
 */
@Injectable()
export class RunProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('RunProcessor');
  private worker?: Worker<RunJob>;
  private cancels?: Redis;
  private heartbeat?: NodeJS.Timeout;
  private readonly startedAt: Date;
  private cap = 1;

  constructor(
    private readonly executor: RunExecutor,
    private readonly containers: ContainersService,
    private readonly pool: WarmPool,
    private readonly runs: RunsRepository,
    private readonly props: SystemPropertiesService,
    private readonly hooks: RunHooks,
    private readonly redis: RedisConnections,
    private readonly clock: Clock,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.startedAt = clock.now();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refuseDuplicateNode();
    await this.reconcile();
    const props = await this.props.getAll();
    this.cap = props.maxExecuteNotebookContainersPerNode;
    this.worker = new Worker<RunJob>(QUEUES.runs, (job: Job<RunJob>) => this.executor.execute(job.data.runId), {
      connection: this.redis.make(),
      prefix: this.redis.prefix,
      concurrency: this.cap,
      autorun: false,
    });
    this.worker.on('failed', (job, err) => this.log.warn(`job ${job?.id} will be retried: ${err.message}`));
    this.worker.on('error', (err) => this.log.warn(`queue error: ${err.message}`));
    await this.props.subscribe((p) => this.apply(p));
    this.cancels = this.redis.make();
    await this.cancels.subscribe(cancelChannel(this.redis.prefix));
    this.cancels.on('message', (_, runId: string) => this.executor.cancel(runId));
    this.apply(props);
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), this.config.execution.heartbeatSeconds * 1000);
    void this.worker.run();
    this.log.log(`node ${this.config.nodeName} taking runs, at most ${this.cap} at once`);
  }

  /** Applies a (possibly changed) cap and pool size without a restart. */
  private apply(p: SystemProperties): void {
    this.cap = p.maxExecuteNotebookContainersPerNode;
    if (this.worker && this.worker.concurrency !== this.cap) {
      this.worker.concurrency = this.cap;
      this.log.log(`cap is now ${this.cap}`);
    }
    this.pool.configure({ sizePerRuntime: p.warmPoolSizePerRuntime, cap: this.cap });
  }

  /**
   * Two live workers with one NODE_NAME would remove each other's containers at start.
   * A fresh heartbeat may be a process that just died, so wait to see whether it still beats.
   */
  private async refuseDuplicateNode(): Promise<void> {
    const beatMs = this.config.execution.heartbeatSeconds * 1000;
    const lastBeat = async () => (await this.ds.manager.findOneBy(WorkerNodeEntity, { name: this.config.nodeName }))?.lastHeartbeat.getTime();
    const seen = await lastBeat();
    if (seen === undefined || this.clock.nowMs() - seen > 2 * beatMs) return;
    await new Promise((r) => setTimeout(r, 1.5 * beatMs));
    if ((await lastBeat()) !== seen) {
      throw new Error(`another worker with NODE_NAME=${this.config.nodeName} is running; give each worker node its own NODE_NAME`);
    }
  }

  /**
   * At start nothing runs here yet: every container labelled with this node is a leftover,
   * and every run this node had in progress died with the previous process.
   */
  private async reconcile(): Promise<void> {
    try {
      for (const c of await this.containers.listNodeContainers()) await this.containers.remove(c.id);
    } catch (e) {
      this.log.warn(`could not list containers at start: ${(e as Error).message}`);
    }
    for (const run of await this.runs.findByNodeAndStatus(this.config.nodeName, 'PROCESSING')) {
      const ok = await this.runs.transition(run.id, ['PROCESSING'], { status: 'FAILED', finishedAt: this.clock.now() }, [
        `The worker ${this.config.nodeName} restarted while this run was in progress; the run was stopped.`,
      ]);
      if (ok) {
        const fresh = await this.runs.findById(run.id);
        if (fresh) await this.hooks.finished(fresh);
      }
    }
  }

  private async beat(): Promise<void> {
    try {
      const props = await this.props.getAll();
      this.apply(props);
      const dockerOk = await this.containers.ping();
      await this.ds.manager.upsert(
        WorkerNodeEntity,
        {
          name: this.config.nodeName,
          cap: this.cap,
          running: this.executor.active.size,
          dockerOk,
          warmContainers: this.pool.idle,
          startedAt: this.startedAt,
          lastHeartbeat: this.clock.now(),
        },
        ['name'],
      );
      if (dockerOk) void this.pool.refill();
    } catch (e) {
      this.log.warn(`heartbeat failed: ${(e as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    // Let short runs finish; stop the rest after a grace period so shutdown is bounded.
    const stop = setTimeout(() => this.executor.stopAll(), SHUTDOWN_GRACE_MS);
    await this.worker?.close();
    clearTimeout(stop);
    await this.pool.drain();
    await this.cancels?.quit().catch(() => undefined);
  }
}

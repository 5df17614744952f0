import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { WorkerNodeEntity } from '@app/db';
import { RunFinisher } from '../run-finisher';
import { RunnerBackend } from '../runner-backend/runner-backend';
import { RunsRepository } from '../runs.repository';
import { NodeLiveness } from './node-liveness';

/** What a node reports at each heartbeat (the machines API shows it). */
export interface NodeReport {
  cap: number;
  running: number;
  dockerOk: boolean;
  warmContainers: number;
}

/**
 * This worker node's life cycle: registration (refuse a duplicate name, clear what a previous process left),
 * then a heartbeat row in `worker_nodes` every HEARTBEAT_SECONDS until shutdown.
 */
@Injectable()
export class WorkerNodeService {
  private readonly log = new Logger('WorkerNode');
  private readonly liveness: NodeLiveness;
  private readonly startedAt: Date;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly backend: RunnerBackend,
    private readonly runs: RunsRepository,
    private readonly finisher: RunFinisher,
    private readonly clock: Clock,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.liveness = new NodeLiveness(config.execution.heartbeatSeconds);
    this.startedAt = clock.now();
  }

  get name(): string {
    return this.config.nodeName;
  }

  /** Before taking runs: refuses to start as a second live node of this name, then reconciles. */
  async register(): Promise<void> {
    await this.refuseDuplicateNode();
    await this.reconcile();
  }

  /** Beats now, then every HEARTBEAT_SECONDS; `report` says what to record (and may act on the beat). */
  async startHeartbeat(report: () => Promise<NodeReport>): Promise<void> {
    const beat = async () => {
      try {
        await this.ds.manager.upsert(WorkerNodeEntity, { name: this.name, ...(await report()), startedAt: this.startedAt, lastHeartbeat: this.clock.now() }, ['name']);
      } catch (e) {
        this.log.warn(`heartbeat failed: ${(e as Error).message}`);
      }
    };
    await beat();
    this.timer = setInterval(() => void beat(), this.config.execution.heartbeatSeconds * 1000);
  }

  stopHeartbeat(): void {
    clearInterval(this.timer);
  }

  /**
   * Two live workers with one NODE_NAME would remove each other's containers at start.
   * A fresh heartbeat may be a process that just died, so wait to see whether it still beats.
   */
  private async refuseDuplicateNode(): Promise<void> {
    const lastBeat = async () => (await this.ds.manager.findOneBy(WorkerNodeEntity, { name: this.name }))?.lastHeartbeat.getTime();
    const seen = await lastBeat();
    if (seen === undefined || !this.liveness.mayBeAlive(seen, this.clock.nowMs())) return;
    await new Promise((r) => setTimeout(r, this.liveness.duplicateWaitMs));
    if ((await lastBeat()) !== seen) {
      throw new Error(`another worker with NODE_NAME=${this.name} is running; give each worker node its own NODE_NAME`);
    }
  }

  /**
   * At start nothing runs here yet: every runner of this node is a leftover, and every run this node had in
   * progress died with the previous process.
   */
  private async reconcile(): Promise<void> {
    try {
      await this.backend.reconcileNode();
    } catch (e) {
      this.log.warn(`could not list containers at start: ${(e as Error).message}`);
    }
    for (const run of await this.runs.findByNodeAndStatus(this.name, 'PROCESSING')) {
      await this.finisher.finish(run.id, {
        status: 'FAILED',
        messages: [`The worker ${this.name} restarted while this run was in progress; the run was stopped.`],
      });
    }
  }
}

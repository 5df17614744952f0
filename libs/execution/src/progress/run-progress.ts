import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RunEntity } from '@app/db';
import { RedisConnections } from '@app/queues';

/** Where a run is: the cell being executed (or just ended) and the last lines of its stream output. */
export interface RunProgressSnapshot {
  /** Notebook index of the cell (as in errors); `codeCell` of `codeCells` counts code cells only. */
  cell: number;
  total: number;
  codeCell: number | null;
  codeCells: number;
  phase: 'start' | 'output' | 'end';
  status?: 'ok' | 'error';
  lines: string[];
  updatedAt: number;
}

/** What the events stream of a run carries. */
export type RunEvent =
  | { type: 'status'; status: string; at: number }
  | { type: 'progress'; progress: RunProgressSnapshot };

/** Kept after the run so its job JSON still shows where it got to. */
const KEEP_SECONDS = 7 * 86400;

/**
 * Live progress of runs, shared by every process through Redis: the worker running a run stores its latest
 * progress (`progress` of the job JSON, on any api node) and publishes progress and status changes on the run's
 * channel; api nodes subscribe (one connection per process, pattern-subscribed) for the events streams.
 */
@Injectable()
export class RunProgress implements OnApplicationShutdown {
  private readonly log = new Logger('RunProgress');
  private subscriber?: Redis;
  private subscribing?: Promise<void>;
  private readonly listeners = new Map<string, Set<(e: RunEvent) => void>>();

  constructor(private readonly redis: RedisConnections) {}

  private key = (runId: string) => `${this.redis.prefix}:run-progress:${runId}`;
  private channel = (runId: string) => `${this.redis.prefix}:run-events:${runId}`;

  /** From the runner's PROGRESS line (any JSON): stored and published; never throws (progress never fails a run). */
  async update(runId: string, data: unknown): Promise<void> {
    const p = snapshotOf(data);
    if (!p) return;
    try {
      const json = JSON.stringify(p);
      await this.redis.main.multi().set(this.key(runId), json, 'EX', KEEP_SECONDS).publish(this.channel(runId), JSON.stringify({ type: 'progress', progress: p })).exec();
    } catch (e) {
      this.log.warn(`run ${runId}: progress not stored: ${(e as Error).message}`);
    }
  }

  /** A status change of the run (PROCESSING, COMPLETED, FAILED, back to SUBMITTED). */
  async status(run: Pick<RunEntity, 'id' | 'status'>, at = Date.now()): Promise<void> {
    await this.redis.main.publish(this.channel(run.id), JSON.stringify({ type: 'status', status: run.status, at })).catch(() => undefined);
  }

  async get(runId: string): Promise<RunProgressSnapshot | null> {
    const v = await this.redis.main.get(this.key(runId)).catch(() => null);
    return v ? (JSON.parse(v) as RunProgressSnapshot) : null;
  }

  /** Calls `listener` with every event of the run from now on; resolves once subscribed. Returns the unsubscribe function. */
  async subscribe(runId: string, listener: (e: RunEvent) => void): Promise<() => void> {
    let set = this.listeners.get(runId);
    if (!set) this.listeners.set(runId, (set = new Set()));
    set.add(listener);
    await this.ensureSubscriber();
    return () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(runId);
    };
  }

  private ensureSubscriber(): Promise<void> {
    this.subscribing ??= (async () => {
      this.subscriber = this.redis.make();
      const prefix = `${this.redis.prefix}:run-events:`;
      this.subscriber.on('pmessage', (_p: string, channel: string, message: string) => {
        const set = this.listeners.get(channel.slice(prefix.length));
        if (!set) return;
        let e: RunEvent;
        try {
          e = JSON.parse(message) as RunEvent;
        } catch {
          return;
        }
        for (const l of set) l(e);
      });
      await this.subscriber.psubscribe(`${prefix}*`);
    })();
    return this.subscribing;
  }

  onApplicationShutdown(): void {
    this.listeners.clear();
  }
}

/** A runner's PROGRESS payload, checked (it comes from inside the container). */
export function snapshotOf(data: unknown): RunProgressSnapshot | null {
  const d = data as Record<string, unknown> | null;
  if (!d || typeof d !== 'object' || !Number.isInteger(d.cell) || !Number.isInteger(d.total)) return null;
  if (d.phase !== 'start' && d.phase !== 'output' && d.phase !== 'end') return null;
  const lines = Array.isArray(d.lines) ? d.lines.filter((l): l is string => typeof l === 'string').slice(-20).map((l) => l.slice(0, 500)) : [];
  return {
    cell: d.cell as number,
    total: d.total as number,
    codeCell: Number.isInteger(d.codeCell) ? (d.codeCell as number) : null,
    codeCells: Number.isInteger(d.codeCells) ? (d.codeCells as number) : 0,
    phase: d.phase,
    ...(d.status === 'ok' || d.status === 'error' ? { status: d.status } : {}),
    lines,
    updatedAt: Date.now(),
  };
}

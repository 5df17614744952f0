import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RunnerBackend, RunnerSession } from './runner-backend/runner-backend';

const READY_TIMEOUT_MS = 60_000;

interface Slot {
  runtime: string;
  /** Set once the runner is READY; a slot is counted from the moment its creation is decided. */
  session?: RunnerSession;
  /** Aborted when the slot is evicted while starting: the backend then removes what it made. */
  abort: AbortController;
  evicted?: boolean;
  /** Settles when start-up ended (ready, failed, or removed after an eviction). */
  startup?: Promise<void>;
}

/**
 * Runner containers started ahead of time with their kernel up, one per future run, never reused.
 * Idle ones count towards the node's cap, so warm + running never exceeds it: a run that finds
 * the pool empty for its runtime first evicts idle containers until its own container fits.
 */
@Injectable()
export class WarmPool {
  private readonly log = new Logger('WarmPool');
  private readonly ready: Slot[] = [];
  private readonly starting = new Set<Slot>();
  private sizePerRuntime = 0;
  private cap = 1;
  /** Runs holding a container of this node (taken from the pool or created cold), until they release it. */
  private inUse = 0;
  /** Removals in flight: whoever makes room waits for all of them, not only its own. */
  private readonly removals = new Set<Promise<unknown>>();
  private refilling = false;
  private refillAgain = false;
  private stopped = false;
  /** Runtimes whose image was found: why cached, an image inspect per refill is a Docker round trip for nothing. */
  private readonly imagesSeen = new Set<string>();

  constructor(
    private readonly backend: RunnerBackend,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  configure(opts: { sizePerRuntime: number; cap: number }): void {
    this.sizePerRuntime = opts.sizePerRuntime;
    this.cap = opts.cap;
    void this.refill();
  }

  /** Idle containers: ready plus starting (both exist in Docker, or are about to). */
  get idle(): number {
    return this.ready.length + this.starting.size;
  }

  get readyCount(): number {
    return this.ready.length;
  }

  /**
   * Called by a run that needs a container: a warm one (its READY already seen), or undefined and
   * the caller creates one cold. Either way the run holds a container from now until `release()`.
   * For a cold start, idle containers beyond `cap - inUse` are removed first (and Docker has removed
   * them when this resolves), so the new container fits under the cap. A warm container taken is an
   * idle one turned busy: the total does not change.
   */
  async take(runtime: string): Promise<RunnerSession | undefined> {
    this.inUse++;
    for (;;) {
      const i = this.ready.findIndex((s) => s.runtime === runtime);
      if (i < 0) break;
      const [s] = this.ready.splice(i, 1);
      if (!s.session!.closed) return s.session;
      await this.removeNow(s); // died while idle: skip it
    }
    await this.evictOver(this.cap - this.inUse);
    return undefined;
  }

  /** The run's container is gone (removed by the caller): its place goes back to the pool. */
  release(): void {
    this.inUse = Math.max(0, this.inUse - 1);
    void this.refill();
  }

  /** Starts containers until each runtime has its share, staying within the cap. */
  async refill(): Promise<void> {
    if (this.stopped) return;
    if (this.refilling) {
      this.refillAgain = true; // a run ended or properties changed meanwhile: look again afterwards
      return;
    }
    this.refilling = true;
    try {
      do {
        this.refillAgain = false;
        await this.evictOver(Math.max(0, this.cap - this.inUse));
        // A smaller pool size (0 turns the pool off) applies at once.
        for (const runtime of new Set([...this.ready, ...this.starting].map((x) => x.runtime))) {
          await this.evictOver(this.sizePerRuntime, runtime);
        }
        const starts: Promise<void>[] = [];
        for (const runtime of Object.keys(this.config.execution.runtimes)) {
          if (!(await this.imageExists(runtime))) continue;
          while (!this.stopped && this.countFor(runtime) < this.sizePerRuntime && this.inUse + this.idle < this.cap) {
            // Why in parallel: after a burst the pool is refilled in one kernel start-up, not N.
            // Counted (in `starting`) before the create call, so a run arriving meanwhile sees it.
            const slot: Slot = { runtime, abort: new AbortController() };
            this.starting.add(slot);
            slot.startup = this.startOne(slot);
            starts.push(slot.startup);
          }
        }
        const failed = (await Promise.allSettled(starts)).filter((r) => r.status === 'rejected');
        if (failed.length) this.log.warn(`refill: ${(failed[0] as PromiseRejectedResult).reason}`);
        if (failed.length) break; // the heartbeat tries again; don't spin on a broken engine
      } while (this.refillAgain && !this.stopped);
    } catch (e) {
      this.log.warn(`refill failed: ${(e as Error).message}`);
    } finally {
      this.refilling = false;
    }
  }

  async drain(): Promise<void> {
    this.stopped = true;
    await this.evictOver(0);
  }

  private async imageExists(runtime: string): Promise<boolean> {
    if (this.imagesSeen.has(runtime)) return true;
    if (!(await this.backend.hasImage(runtime))) return false;
    this.imagesSeen.add(runtime);
    return true;
  }

  private countFor(runtime: string): number {
    let n = 0;
    for (const s of this.ready) if (s.runtime === runtime) n++;
    for (const s of this.starting) if (s.runtime === runtime) n++;
    return n;
  }

  /**
   * Starts a runner and waits for READY; moves the slot to `ready`. An eviction meanwhile aborts the start-up,
   * and whatever did not become ready is removed before this resolves.
   */
  private async startOne(slot: Slot): Promise<void> {
    try {
      const session = await this.backend.acquire(slot.runtime, { runId: null, readyTimeoutMs: READY_TIMEOUT_MS, signal: slot.abort.signal });
      if (session.closed) throw new Error('the runner container ended before it was ready');
      slot.session = session;
      if (!slot.evicted && this.starting.delete(slot)) {
        this.ready.push(slot);
        return;
      }
      await session.dispose();
    } catch (e) {
      this.starting.delete(slot);
      if (!slot.evicted) throw e; // an evicted slot's start-up fails because it was aborted
    }
  }

  /** Removes idle containers (of one runtime, or all) until at most `limit` remain: starting ones first, then the oldest ready. */
  private async evictOver(limit: number, runtime?: string): Promise<void> {
    const victims: Slot[] = [];
    const mine = (x: Slot) => runtime === undefined || x.runtime === runtime;
    while ((runtime === undefined ? this.idle : this.countFor(runtime)) > Math.max(0, limit)) {
      const s = [...this.starting].find(mine) ?? this.ready.find(mine);
      if (!s) break;
      this.starting.delete(s);
      const i = this.ready.indexOf(s);
      if (i >= 0) this.ready.splice(i, 1);
      s.evicted = true;
      victims.push(s);
    }
    // Resolves once the containers are really gone, so that Docker never shows more than the cap:
    // a starting slot's start-up is aborted (the backend removes what it made before it settles).
    // Removals started by another caller (a refill pass racing a run) are awaited too.
    for (const s of victims) this.removeNow(s);
    await Promise.all([...this.removals]);
  }

  private removeNow(s: Slot): Promise<unknown> {
    const p = (async () => {
      s.abort.abort();
      await s.startup?.catch(() => undefined);
      await s.session?.dispose();
    })();
    this.removals.add(p);
    void p.finally(() => this.removals.delete(p));
    return p;
  }
}

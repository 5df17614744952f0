import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { RuntimeEntity } from '@app/db';
import { RunQueue } from './run-queue';
import { RunnerBackend, RunnerSession } from './runner-backend/runner-backend';
import { RunsRepository } from './runs.repository';

const READY_TIMEOUT_MS = 60_000;

/** A runtime as it is now: a changed runtime (new image or limits) gets new warm containers. */
export const runtimeKey = (r: RuntimeEntity) => `${r.id}@${r.modified.getTime()}`;

interface Slot {
  /** runtimeKey of the runtime it was started for. */
  runtime: string;
  entity: RuntimeEntity;
  /** Set once the runner is READY; a slot is counted from the moment its creation is decided. */
  session?: RunnerSession;
  /** Aborted when the slot is evicted while starting: the backend then removes what it made. */
  abort: AbortController;
  evicted?: boolean;
  /** Taken by a run while it was still starting: once ready, its session is that run's. */
  taken?: boolean;
  /** Settles when start-up ended (ready, failed, or removed after an eviction). */
  startup?: Promise<void>;
}

/**
 * Runner containers started ahead of time with their kernel up, one per future run, never reused.
 * Idle ones count towards the node's cap, so warm + running never exceeds it: a run that finds
 * no container of its runtime first evicts idle containers until its own container fits.
 *
 * Under load the pool must not cost containers. While runs wait on the queue the places that free up are theirs:
 * the pool then starts containers only for the runtimes of the next waiting runs, never its per-runtime share; and a
 * run takes a container of its runtime that is still starting instead of evicting it and starting its own. So every
 * container the pool starts is used by a run or is still idle in the pool: a burst creates no more containers than runs.
 */
@Injectable()
export class WarmPool {
  private readonly log = new Logger('WarmPool');
  private readonly ready: Slot[] = [];
  private readonly starting = new Set<Slot>();
  private sizePerRuntime = 0;
  private runtimes: RuntimeEntity[] = [];
  private cap = 1;
  /** Runs holding a container of this node (taken from the pool or created cold), until they release it. */
  private inUse = 0;
  /** Removals in flight: whoever makes room waits for all of them, not only its own. */
  private readonly removals = new Set<Promise<unknown>>();
  private refilling = false;
  private refillAgain = false;
  private stopped = false;
  /** Images found: why cached, an image inspect per refill is a Docker round trip for nothing. */
  private readonly imagesSeen = new Set<string>();

  constructor(
    private readonly backend: RunnerBackend,
    private readonly queue: RunQueue,
    private readonly runs: RunsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `sizePerRuntime` is the site's warmPoolSizePerRuntime; a runtime's own warmPoolSize overrides it. */
  configure(opts: { sizePerRuntime: number; cap: number; runtimes?: RuntimeEntity[] }): void {
    this.sizePerRuntime = opts.sizePerRuntime;
    this.cap = opts.cap;
    if (opts.runtimes) this.runtimes = opts.runtimes;
    void this.refill();
  }

  private sizeOf(key: string): number {
    const r = this.runtimes.find((x) => runtimeKey(x) === key);
    return r ? (r.warmPoolSize ?? this.sizePerRuntime) : 0;
  }

  /** Idle containers: ready plus starting (both exist in Docker, or are about to). */
  get idle(): number {
    return this.ready.length + this.starting.size;
  }

  get readyCount(): number {
    return this.ready.length;
  }

  /**
   * Called by a run that needs a container: one the pool started (ready, or still starting: then this waits for its
   * READY, which comes sooner than a cold start's), or undefined and the caller creates one cold. Either way the run
   * holds a container from now until `release()`. For a cold start, idle containers beyond `cap - inUse` are removed
   * first (and Docker has removed them when this resolves), so the new container fits under the cap. A pool container
   * taken is an idle one turned busy: the total does not change.
   */
  async take(entity: RuntimeEntity): Promise<RunnerSession | undefined> {
    const runtime = runtimeKey(entity);
    this.inUse++;
    for (;;) {
      const i = this.ready.findIndex((s) => s.runtime === runtime);
      if (i >= 0) {
        const [s] = this.ready.splice(i, 1);
        if (!s.session!.closed) return s.session;
        await this.removeNow(s); // died while idle: skip it
        continue;
      }
      const s = [...this.starting].find((x) => x.runtime === runtime);
      if (!s) break;
      this.starting.delete(s);
      s.taken = true;
      await s.startup!.catch(() => undefined); // a failed start-up is reported by the refill that began it
      if (s.session && !s.session.closed) return s.session;
      await s.session?.dispose();
    }
    await this.evictOver(this.cap - this.inUse);
    return undefined;
  }

  /** Whether a runner (by id) is one of the pool's. */
  holds(id: string): boolean {
    return this.ready.some((s) => s.session?.id === id);
  }

  /** Removes ready runners whose stream ended while idle (their engine restarted): they can take no run. */
  async dropClosed(): Promise<void> {
    const dead = this.ready.filter((s) => s.session!.closed);
    for (const s of dead) this.ready.splice(this.ready.indexOf(s), 1);
    await Promise.all(dead.map((s) => this.removeNow(s)));
  }

  /** The run's container is gone (removed by the caller): its place goes back to the pool. */
  release(): void {
    this.inUse = Math.max(0, this.inUse - 1);
    void this.refill();
  }

  /** Starts the containers `wanted()` names, staying within the cap; removes idle ones beyond the cap or the pool size. */
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
        // A smaller pool size (0 turns the pool off) applies at once; a changed or removed runtime's go.
        for (const runtime of new Set([...this.ready, ...this.starting].map((x) => x.runtime))) {
          await this.evictOver(this.sizeOf(runtime), runtime);
        }
        const starts: Promise<void>[] = [];
        for (const entity of await this.wanted()) {
          const runtime = runtimeKey(entity);
          if (!(await this.imageExists(entity.imageId))) continue;
          // Checked again after every await: a run may have taken the place meanwhile.
          if (this.stopped || this.inUse + this.idle >= this.cap) break;
          // Why in parallel: after a burst the pool is refilled in one kernel start-up, not N.
          // Counted (in `starting`) before the create call, so a run arriving meanwhile sees it.
          const slot: Slot = { runtime, entity, abort: new AbortController() };
          this.starting.add(slot);
          slot.startup = this.startOne(slot);
          starts.push(slot.startup);
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

  /**
   * The containers to start for the places neither in use nor idle, one runtime per container. Runs waiting on
   * the queue come first: each takes an idle container of its runtime, or a free place, for which a container of its
   * runtime is started now (it takes that one). Only the places no waiting run will take get the pool's shares, so
   * nothing is started that a waiting run would evict.
   */
  private async wanted(): Promise<RuntimeEntity[]> {
    const room = this.cap - this.inUse - this.idle;
    if (room <= 0 || !this.runtimes.some((r) => this.sizeOf(runtimeKey(r)) > 0)) return [];
    const idle = new Map<string, number>();
    for (const s of [...this.ready, ...this.starting]) idle.set(s.runtime, (idle.get(s.runtime) ?? 0) + 1);
    const forQueued: RuntimeEntity[] = [];
    let placesTaken = 0;
    for (const ref of await this.queuedRuntimes(room + this.idle)) {
      const entity = this.entityOf(ref);
      const key = entity ? runtimeKey(entity) : null;
      const n = key ? (idle.get(key) ?? 0) : 0;
      if (key && n > 0) {
        idle.set(key, n - 1);
        continue;
      }
      placesTaken++;
      if (entity) forQueued.push(entity);
    }
    const shares: RuntimeEntity[] = [];
    for (const entity of this.runtimes) {
      const key = runtimeKey(entity);
      let have = this.countFor(key) + forQueued.filter((r) => r === entity).length;
      for (; have < this.sizeOf(key); have++) shares.push(entity);
    }
    return [...forQueued.slice(0, room), ...shares.slice(0, Math.max(0, room - placesTaken))];
  }

  /** Runtime references (id, name or null for the default) of the next `n` runs waiting on the queue, in order. */
  private async queuedRuntimes(n: number): Promise<(string | null)[]> {
    const ids = await this.queue.waiting(n);
    if (!ids.length) return [];
    const runtimes = await this.runs.queuedRuntimes(ids);
    return ids.filter((id) => runtimes.has(id)).map((id) => runtimes.get(id) ?? null);
  }

  /** The pool's runtime a run's reference names, as the runtimes service resolves it (id, then name; none: the default). */
  private entityOf(ref: string | null): RuntimeEntity | undefined {
    const wanted = ref ?? this.config.execution.defaultRuntime;
    return this.runtimes.find((r) => r.id === wanted) ?? this.runtimes.find((r) => r.name === wanted);
  }

  private async imageExists(image: string): Promise<boolean> {
    if (this.imagesSeen.has(image)) return true;
    if (!(await this.backend.hasImage(image))) return false;
    this.imagesSeen.add(image);
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
      const session = await this.backend.acquire(slot.entity, { runId: null, readyTimeoutMs: READY_TIMEOUT_MS, signal: slot.abort.signal });
      if (session.closed) {
        await session.dispose();
        throw new Error('the runner container ended before it was ready');
      }
      slot.session = session;
      if (slot.taken) return; // the run that took it disposes of it
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

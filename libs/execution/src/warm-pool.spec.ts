import type { AppConfig } from '@app/config';
import type { RuntimeEntity } from '@app/db';
import type { RunQueue } from './run-queue';
import type { AcquireOptions, RunnerBackend, RunnerSession } from './runner-backend/runner-backend';
import type { RunsRepository } from './runs.repository';
import { WarmPool } from './warm-pool';

/** A backend whose start-ups the test finishes by hand; it records what was started. */
class FakeBackend {
  readonly started: Array<{ runtime: string; ready: (s: RunnerSession) => void }> = [];
  hasImage = async () => true;
  acquire(runtime: RuntimeEntity, opts: AcquireOptions): Promise<RunnerSession> {
    return new Promise((resolve, reject) => {
      this.started.push({ runtime: runtime.name, ready: resolve });
      opts.signal?.addEventListener('abort', () => reject(new Error('aborted')));
    });
  }
}

const session = (id: string) => ({ id, closed: false, dispose: jest.fn(async () => undefined) }) as unknown as RunnerSession;
const rt = (name: string) => ({ id: `id-${name}`, name, imageId: `image-${name}`, modified: new Date(0), warmPoolSize: null }) as unknown as RuntimeEntity;
const runtimes = { a: rt('a'), b: rt('b') };
const settle = () => new Promise((r) => setTimeout(r, 10));

/** The pool's policy alone (which containers it starts, and for whom), with a fake backend and queue. */
describe('WarmPool', () => {
  let backend: FakeBackend;
  let waiting: Array<{ id: string; runtime: string }>;
  let pool: WarmPool;

  beforeEach(() => {
    backend = new FakeBackend();
    waiting = [];
    const queue = { waiting: async (n: number) => waiting.slice(0, n).map((w) => w.id) } as unknown as RunQueue;
    const runs = { queuedRuntimes: async (ids: string[]) => new Map(waiting.filter((w) => ids.includes(w.id)).map((w) => [w.id, w.runtime])) } as unknown as RunsRepository;
    const config = { execution: { defaultRuntime: 'a' } } as unknown as AppConfig;
    pool = new WarmPool(backend as unknown as RunnerBackend, queue, runs, config);
  });

  it('with no run waiting, fills each runtime its share within the cap', async () => {
    pool.configure({ sizePerRuntime: 1, cap: 2, runtimes: [runtimes.a, runtimes.b] });
    await settle();
    expect(backend.started.map((s) => s.runtime)).toEqual(['a', 'b']);
  });

  it('while runs wait, a freed place gets a container for the next waiting run, of its runtime, which that run then takes', async () => {
    pool.configure({ sizePerRuntime: 0, cap: 1, runtimes: [runtimes.a, runtimes.b] });
    expect(await pool.take(runtimes.a)).toBeUndefined(); // a cold run holds the only place
    pool.configure({ sizePerRuntime: 1, cap: 1 });
    await settle();
    expect(backend.started).toEqual([]);

    waiting = [{ id: 'r2', runtime: 'b' }];
    pool.release();
    await settle();
    // Not the pool's share order ('a' first): the runtime the queue needs next.
    expect(backend.started.map((s) => s.runtime)).toEqual(['b']);

    // The waiting run arrives while its container is still starting: it takes that one, nothing new is started.
    const taking = pool.take(runtimes.b);
    await settle();
    const s = session('c1');
    backend.started[0].ready(s);
    expect(await taking).toBe(s);
    expect(backend.started).toHaveLength(1);
    expect(s.dispose).not.toHaveBeenCalled();
  });

  it('while runs wait, starts nothing a waiting run would evict: the free place is theirs, not the pool share', async () => {
    pool.configure({ sizePerRuntime: 1, cap: 2, runtimes: [runtimes.a, runtimes.b] });
    await settle();
    backend.started[0].ready(session('a1'));
    backend.started[1].ready(session('b1'));
    await settle();
    expect(await pool.take(runtimes.a)).toBeDefined();
    waiting = [
      { id: 'r2', runtime: 'b' },
      { id: 'r3', runtime: 'b' },
    ];
    pool.release();
    await settle();
    // r2 takes the idle 'b'; r3 takes the free place, so a 'b' is started for it, not the 'a' the share would want.
    expect(backend.started.map((s) => s.runtime)).toEqual(['a', 'b', 'b']);
  });

  it('places no waiting run will take still get the pool share', async () => {
    pool.configure({ sizePerRuntime: 1, cap: 3, runtimes: [runtimes.a, runtimes.b] });
    await settle();
    backend.started[0].ready(session('a1'));
    backend.started[1].ready(session('b1'));
    await settle();
    expect(await pool.take(runtimes.a)).toBeDefined();
    waiting = [{ id: 'r2', runtime: 'b' }];
    pool.release();
    await settle();
    // r2 takes the idle 'b'; two places stay free, so 'a' gets its share back.
    expect(backend.started.map((s) => s.runtime)).toEqual(['a', 'b', 'a']);
  });
});

/**
 * At most `size` container start-ups at once (first come, first served). Why: a start-up is CPU-bound (Docker's
 * create and start, the runner's interpreter and IPython), so ten at once on two cores all finish late together and
 * their runs then end together too, and every later wave of starts collides again. Admitted a few at a time, the
 * first runs start sooner and the node's runs stay spread out. A place is held at most `holdMs`: a start-up that
 * hangs delays the others once, never for good.
 */
export class StartGate {
  private inside = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly size: number,
    private readonly holdMs: number,
  ) {}

  /** Resolves with the function that gives the place back (calling it twice is harmless); rejects if `signal` aborts first. */
  async enter(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.size > 0 && this.inside >= this.size) {
      await new Promise<void>((resolve, reject) => {
        const admit = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(admit);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted while waiting to start'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(admit);
      });
    } else {
      this.inside++;
    }
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      clearTimeout(timer);
      const next = this.waiting.shift();
      if (next) next(); // the place passes on: `inside` stays
      else this.inside--;
    };
    const timer = setTimeout(leave, this.holdMs);
    timer.unref?.();
    return leave;
  }
}

import type { RenderedSnapshot } from './html-exporter';

export const EXPORTER_READY = 'NBRUNNER EXPORTER READY';

interface Pending {
  resolve(s: RenderedSnapshot): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The exporter's line protocol (runner/README.md), whatever carries the lines: READY once, then one JSON request
 * line per snapshot and one answer line each, matched by id. Backend-agnostic, so it is unit-tested without Docker.
 */
export class ExporterClient {
  ready = false;
  private closedWith?: Error;
  private next = 0;
  private readonly pending = new Map<string, Pending>();

  /** `onTimeout`: a request was not answered in time (the exporter is stuck: its owner restarts it). */
  constructor(
    private readonly writeLine: (line: string) => Promise<void>,
    private readonly onTimeout: () => void,
    private readonly onReady: () => void = () => undefined,
  ) {}

  /** One stdout line of the exporter. */
  line(text: string): void {
    if (text.trimEnd() === EXPORTER_READY) {
      this.ready = true;
      this.onReady();
      return;
    }
    let m: { id?: unknown; html?: unknown; note?: unknown; error?: unknown };
    try {
      m = JSON.parse(text);
    } catch {
      return; // not an answer (nothing else is printed on stdout)
    }
    const p = typeof m?.id === 'string' ? this.pending.get(m.id) : undefined;
    if (!p) return; // answered after its timeout
    this.pending.delete(m.id as string);
    clearTimeout(p.timer);
    if (typeof m.html === 'string') p.resolve({ html: m.html, ...(typeof m.note === 'string' ? { note: m.note } : {}) });
    else p.reject(new Error(`the exporter refused the notebook: ${typeof m.error === 'string' ? m.error : 'no html in its answer'}`));
  }

  render(notebook: string, timeoutMs: number): Promise<RenderedSnapshot> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (!this.ready) return Promise.reject(new Error('the exporter is not ready'));
    const id = String(++this.next);
    return new Promise<RenderedSnapshot>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        reject(new Error(`the exporter did not answer within ${timeoutMs} ms`));
        this.onTimeout();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.writeLine(JSON.stringify({ id, notebook }) + '\n').catch((e: Error) => this.fail(id, e));
    });
  }

  /** The exporter is gone: every request waiting fails now, and any later one at once. */
  close(why: Error): void {
    this.ready = false;
    this.closedWith = why;
    for (const id of [...this.pending.keys()]) this.fail(id, why);
  }

  private fail(id: string, e: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.reject(e);
  }
}

import type { RenderedSnapshot } from './html-exporter';

export const EXPORTER_READY = 'NBRUNNER EXPORTER READY';

interface Pending {
  resolve(s: RenderedSnapshot): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

interface Answer {
  id?: unknown;
  html?: unknown;
  htmlBytes?: unknown;
  note?: unknown;
  error?: unknown;
}

/**
 * The exporter's protocol (runner/README.md), whatever carries it: READY once, then one JSON request line per
 * snapshot and one answer each, matched by id. Requests ask for the HTML raw (`"raw": true`): the answer line then
 * gives its length (`htmlBytes`) and that many bytes of UTF-8 follow, so 0.5 MB of HTML is neither JSON-escaped nor
 * parsed (an exporter that ignores the field answers with `html` in the line, also understood). Each carrier (the
 * attach stream, the socket) feeds its bytes through a reader of its own. Backend-agnostic: unit-tested without Docker.
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

  /** A parser for one carrier's bytes (lines, and the raw HTML after an answer that announces it). */
  reader(): (chunk: Buffer) => void {
    let buffered: Buffer[] = [];
    let size = 0;
    let raw: { answer: Answer; bytes: number } | undefined;
    return (chunk: Buffer) => {
      buffered.push(chunk);
      size += chunk.length;
      for (;;) {
        if (raw) {
          if (size < raw.bytes) return;
          const all = buffered.length === 1 ? buffered[0] : Buffer.concat(buffered, size);
          const answer = raw.answer;
          ({ buffered, size } = rest(all, raw.bytes));
          raw = undefined;
          this.answer(answer, all.subarray(0, answer.htmlBytes as number));
          continue;
        }
        if (!size) return;
        const last = buffered[buffered.length - 1];
        const nlInLast = last.indexOf(10);
        if (nlInLast < 0) return; // the chunks before `last` had no newline either
        const all = buffered.length === 1 ? last : Buffer.concat(buffered, size);
        const nl = size - last.length + nlInLast;
        const text = all.subarray(0, nl).toString('utf8');
        ({ buffered, size } = rest(all, nl + 1));
        const answer = this.line(text);
        if (answer) raw = { answer, bytes: answer.htmlBytes as number };
      }
    };
  }

  /** One line of the exporter; returns the answer when raw HTML bytes follow it. */
  line(text: string): Answer | undefined {
    if (text.trimEnd() === EXPORTER_READY) {
      this.ready = true;
      this.onReady();
      return;
    }
    let m: Answer;
    try {
      m = JSON.parse(text);
    } catch {
      return; // not an answer (nothing else is printed on stdout)
    }
    if (typeof m?.htmlBytes === 'number' && Number.isInteger(m.htmlBytes) && m.htmlBytes >= 0) return m;
    this.answer(m, typeof m?.html === 'string' ? Buffer.from(m.html, 'utf8') : undefined);
  }

  private answer(m: Answer, html: Buffer | undefined): void {
    const p = typeof m?.id === 'string' ? this.pending.get(m.id) : undefined;
    if (!p) return; // answered after its timeout
    this.pending.delete(m.id as string);
    clearTimeout(p.timer);
    if (html) p.resolve({ html, ...(typeof m.note === 'string' ? { note: m.note } : {}) });
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
      this.writeLine(JSON.stringify({ id, notebook, raw: true }) + '\n').catch((e: Error) => this.fail(id, e));
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

/** What follows the first `at` bytes, as the reader's buffer (copied: a small rest must not pin a large chunk). */
function rest(all: Buffer, at: number): { buffered: Buffer[]; size: number } {
  return at < all.length ? { buffered: [Buffer.from(all.subarray(at))], size: all.length - at } : { buffered: [], size: 0 };
}

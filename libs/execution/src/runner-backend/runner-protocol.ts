/**
 * The runner channel protocol (runner/README.md): on the runner's stdout, one line per message,
 * `NBRUNNER <KIND>` optionally followed by a space and a payload (`NBRUNNER OUTPUT <json>`, `NBRUNNER DONE succeeded`).
 * Any kind is accepted, so a new runner feature (PROGRESS, RELAY, ...) only needs a listener, not a parser change.
 * Backend-agnostic: it reads plain stdout bytes, whatever demultiplexed them.
 */

/** One protocol line. `data` is the payload parsed as JSON, or undefined when there is none or it is not JSON. */
export interface RunnerMessage {
  kind: string;
  /** The payload as printed (may be empty). */
  text: string;
  data: unknown;
}

export type RunnerMessageListener = (message: RunnerMessage) => void;

const LINE = /^NBRUNNER ([A-Z][A-Z0-9_]*)(?: ([\s\S]*))?$/;

/** Parses one stdout line; null when it is not a protocol line. */
export function parseRunnerLine(line: string): RunnerMessage | null {
  const m = LINE.exec(line.endsWith('\r') ? line.slice(0, -1) : line);
  if (!m) return null;
  const text = m[2] ?? '';
  return { kind: m[1], text, data: parsePayload(text) };
}

function parsePayload(text: string): unknown {
  const c = text.trimStart()[0];
  // Only what can be a JSON object, array or string: `DONE succeeded` stays text.
  if (c !== '{' && c !== '[' && c !== '"') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Splits a byte stream into lines (chunks may split lines, and UTF-8 characters, anywhere); `\n` ends a line. */
export class LineSplitter {
  private pending: Buffer[] = [];

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)));
        return;
      }
      this.pending.push(chunk.subarray(start, nl));
      const line = this.pending.length === 1 ? this.pending[0].toString('utf8') : Buffer.concat(this.pending).toString('utf8');
      this.pending = [];
      this.onLine(line);
      start = nl + 1;
    }
  }
}

/** Splits a stdout byte stream into lines and tells each kind's listeners, in the order the lines came. */
export class RunnerProtocol {
  private readonly listeners = new Map<string, Set<RunnerMessageListener>>();
  private readonly lines = new LineSplitter((line) => this.line(line));

  /** Subscribes to one kind (`READY`, `OUTPUT`, `DONE`, `PROGRESS`, ...); returns the unsubscribe function. */
  on(kind: string, listener: RunnerMessageListener): () => void {
    let set = this.listeners.get(kind);
    if (!set) this.listeners.set(kind, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Feeds stdout bytes (chunks may split lines, and UTF-8 characters, anywhere). */
  write(chunk: Buffer): void {
    this.lines.write(chunk);
  }

  private line(text: string): void {
    const msg = parseRunnerLine(text);
    if (!msg) return;
    for (const l of this.listeners.get(msg.kind) ?? []) l(msg);
  }
}

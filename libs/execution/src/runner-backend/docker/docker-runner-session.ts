import type Docker from 'dockerode';
import { RunnerProtocol, RunnerMessageListener } from '../runner-protocol';
import { KillReason, RunInput, RunnerOutput, RunnerSession, RunnerUnavailableError, RunOutput } from '../runner-backend';
import { withTimeout } from '../../with-timeout';
import { unpackTar } from './tar';

const EXIT_CODES: Record<string, number> = { succeeded: 0, failed: 1, error: 2, timeout: 3 };
const STDERR_TAIL = 16 * 1024;

/** What the session needs of its backend: removal and the engine-error mapping, both in DockerRunnerBackend. */
export interface DockerSessionHost {
  remove(container: Docker.Container): Promise<void>;
  guard<T>(fn: () => Promise<T>): Promise<T>;
  nameFor(runId: string): string;
  /** Resolves once the engine answers again; rejects with RunnerUnavailableError if it has not by `untilMs`. */
  reachable(untilMs: number): Promise<void>;
}

/**
 * One runner container and its attached streams: the input line goes to stdin; stdout (demultiplexed by
 * docker-modem: without a TTY Docker frames stdout and stderr) feeds the protocol parser; stderr keeps a tail for logs.
 */
export class DockerRunnerSession implements RunnerSession {
  /** Resolves when the runner printed READY; rejects if the stream ends first. */
  readonly ready: Promise<void>;
  readonly ended: Promise<void>;
  output: RunnerOutput | null = null;
  closed = false;
  private readonly protocol = new RunnerProtocol();
  private stderr = '';
  private disposed?: Promise<void>;

  constructor(
    readonly container: Docker.Container,
    private readonly stream: NodeJS.ReadWriteStream,
    modem: { demuxStream(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void },
    private readonly host: DockerSessionHost,
  ) {
    let onReady!: () => void;
    let onReadyFail!: (e: Error) => void;
    let onEnd!: () => void;
    this.ready = new Promise<void>((res, rej) => ((onReady = res), (onReadyFail = rej)));
    this.ready.catch(() => undefined);
    this.ended = new Promise<void>((res) => (onEnd = res));
    this.protocol.on('READY', () => onReady());
    this.protocol.on('OUTPUT', (m) => (this.output = (m.data as RunnerOutput | undefined) ?? null));
    this.protocol.on('DONE', () => onEnd());
    const stdout = { write: (b: Buffer) => (this.protocol.write(b), true) };
    const stderr = { write: (b: Buffer) => ((this.stderr = (this.stderr + b.toString('utf8')).slice(-STDERR_TAIL)), true) };
    modem.demuxStream(stream, stdout as unknown as NodeJS.WritableStream, stderr as unknown as NodeJS.WritableStream);
    const end = () => {
      this.closed = true;
      onReadyFail(new Error('the runner container ended before it was ready'));
      onEnd();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  get id(): string {
    return this.container.id;
  }

  assign(runId: string): void {
    this.container.rename({ name: this.host.nameFor(runId) }).catch(() => undefined);
  }

  on(kind: string, listener: RunnerMessageListener): () => void {
    return this.protocol.on(kind, listener);
  }

  /** One JSON line on stdin; the runner reads it as soon as its kernel is up. */
  send(input: RunInput): Promise<void> {
    return this.sendLine({ notebook: input.notebook, spec: input.spec });
  }

  async sendLine(value: unknown): Promise<void> {
    const line = JSON.stringify(value) + '\n';
    await new Promise<void>((res, rej) => this.stream.write(line, (e) => (e ? rej(e) : res())));
  }

  /**
   * If the runner ended without DONE, its state and any files come from Docker. When the engine itself went away
   * (the attach stream broke with it), this waits for it to come back (until the deadline) and reads the
   * container then: a runner that finished meanwhile still has its outcome in /work/output.
   */
  async collect(deadlineMs: number, signal: AbortSignal): Promise<RunOutput> {
    const container = this.container;
    const deadlineAt = Date.now() + Math.max(0, deadlineMs);
    let killed: KillReason | null = null;
    const kill = (why: KillReason) => {
      if (this.output) return; // finished already: nothing to kill
      killed ??= why;
      container.kill().catch(() => undefined);
    };
    const timer = setTimeout(() => kill('timeout'), Math.max(0, deadlineMs));
    const onAbort = () => kill(signal.reason === 'shutdown' ? 'shutdown' : 'cancelled');
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) onAbort();
    try {
      await this.ended;
      const done = this.output;
      if (done) {
        const files = new Map<string, Buffer>();
        if (done.notebook != null) files.set('notebook.ipynb', Buffer.from(done.notebook, 'utf8'));
        if (done.snapshot != null) files.set('snapshot.html', Buffer.from(done.snapshot, 'utf8'));
        files.set('result.json', Buffer.from(JSON.stringify(done.result), 'utf8'));
        const result = done.result as { status?: string; error?: { ename?: string } | null } | null;
        const status = result?.status ?? 'error';
        // Why only then: one inspect tells a kernel killed by the OOM killer from one that died otherwise. The runner
        // exits right after DONE; Docker's OOM flag is reliable once it has (the engine learns of the kill asynchronously).
        let oomKilled = false;
        if (result?.error?.ename === 'DeadKernelError') {
          await withTimeout(container.wait(), 5_000, 'runner exit').catch(() => undefined);
          oomKilled = await this.oomKilled();
        }
        return { exitCode: EXIT_CODES[status] ?? 2, killed, files, logs: this.stderr, oomKilled };
      }
      let interrupted: string | undefined;
      let r: { StatusCode: number };
      try {
        r = (await this.host.guard(() => container.wait())) as { StatusCode: number };
      } catch (e) {
        if (!(e instanceof RunnerUnavailableError)) throw e;
        interrupted = `The Docker engine went away (${e.message})`;
        await this.host.reachable(deadlineAt);
        r = (await this.host.guard(() => container.wait())) as { StatusCode: number };
      }
      const oomKilled = await this.oomKilled();
      // Stopped by a signal we did not send, and not for memory: the engine (restarting) or an operator stopped it.
      if (!interrupted && !killed && !oomKilled && (r.StatusCode === 137 || r.StatusCode === 143)) {
        interrupted = `The runner container was stopped from outside (exit code ${r.StatusCode}; a Docker engine restart?)`;
      }
      let files = new Map<string, Buffer>();
      try {
        files = await unpackTar(await container.getArchive({ path: '/work/output' }));
      } catch {
        // No output: killed before the runner wrote any.
      }
      return { exitCode: r.StatusCode, killed, files, logs: this.stderr, interrupted, oomKilled };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async oomKilled(): Promise<boolean> {
    const info = await this.container.inspect().catch(() => null);
    return info?.State?.OOMKilled === true;
  }

  /** Through the archive API (works on the exited container): the files may be large, the OUTPUT line is not the place. */
  async outputFiles(): Promise<Map<string, Buffer>> {
    return unpackTar(await this.host.guard(() => this.container.getArchive({ path: '/work/output/files' })));
  }

  /** Drops the connection (closing the streams) and removes the container. */
  close(): void {
    (this.stream as unknown as { destroy(): void }).destroy();
  }

  dispose(): Promise<void> {
    this.close();
    return (this.disposed ??= this.host.remove(this.container));
  }
}

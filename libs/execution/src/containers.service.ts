import { Inject, Injectable, Logger } from '@nestjs/common';
import Docker from 'dockerode';
import { APP_CONFIG, AppConfig } from '@app/config';
import { unpackTar } from './tar';

export const LABEL_NODE = 'nbautomation.node';
export const LABEL_RUN = 'nbautomation.run';
export const LABEL_ROLE = 'nbautomation.role';

export interface RunInput {
  notebook: string;
  spec: Record<string, unknown>;
}

export type KillReason = 'timeout' | 'cancelled' | 'shutdown';

export interface RunOutput {
  exitCode: number | null;
  /** Killed by us: past the hard deadline, cancelled, or the worker shutting down. */
  killed: KillReason | null;
  files: Map<string, Buffer>;
  logs: string;
}

export interface NodeContainer {
  id: string;
  name: string;
  runId: string | null;
  role: string;
}

/** Raised when the Docker engine cannot be reached: the run is retried, not failed. */
export class DockerUnavailableError extends Error {}

/**
 * The only class that talks to Docker. One fresh container per run, files moved with the archive
 * API (no bind mounts, so a remote engine works), always removed afterwards.
 */
@Injectable()
export class ContainersService {
  private readonly log = new Logger('Containers');
  readonly docker: Docker;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.docker = new Docker({ socketPath: config.execution.dockerSocket });
  }

  async ping(): Promise<boolean> {
    try {
      await this.docker.ping();
      return true;
    } catch {
      return false;
    }
  }

  imageOf(runtime: string): string {
    const image = this.config.execution.runtimes[runtime];
    if (!image) throw new Error(`unknown runtime '${runtime}'`);
    return image;
  }

  /** Creates (but does not start) a runner container for a runtime, with the site's limits. */
  async create(runtime: string, role: 'run' | 'warm', runId: string | null): Promise<Docker.Container> {
    const e = this.config.execution;
    const labels: Record<string, string> = { [LABEL_NODE]: this.config.nodeName, [LABEL_ROLE]: role };
    if (runId) labels[LABEL_RUN] = runId;
    return this.guard(() =>
      this.docker.createContainer({
        Image: this.imageOf(runtime),
        name: runId ? `nba-${this.config.nodeName}-${runId}` : undefined,
        Labels: labels,
        Tty: false,
        // The input arrives on stdin and the output leaves on stdout (see `attach`).
        OpenStdin: true,
        StdinOnce: false,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Env: ['NBRUNNER_INPUT=stdin'],
        HostConfig: {
          NetworkMode: e.network,
          Memory: e.memoryMb * 1024 * 1024,
          // No CPU limit yet: see limitCpu. Memory and pids limits hold from the start.
          PidsLimit: e.pidsLimit,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
        },
      }),
    );
  }

  /**
   * Applies the site's CPU limit (CONTAINER_CPUS). Called once the runner is READY and before it gets its
   * input, so every notebook cell, warm or cold, runs under the limit. Why not at create: the runner's
   * start-up (kernel launch and nbconvert imports, two processes in parallel) takes ~1.5x longer under a
   * 1-CPU quota on this 2-core VM, and no user code runs before READY.
   */
  async limitCpu(container: Docker.Container): Promise<void> {
    await this.guard(() => container.update({ NanoCpus: Math.round(this.config.execution.cpus * 1e9) }));
  }

  async start(container: Docker.Container): Promise<void> {
    await this.guard(() => container.start());
  }

  async remove(idOrContainer: string | Docker.Container): Promise<void> {
    const c = typeof idOrContainer === 'string' ? this.docker.getContainer(idOrContainer) : idOrContainer;
    await c.remove({ force: true, v: true }).catch((e: { statusCode?: number }) => {
      if (e.statusCode !== 404) this.log.warn(`could not remove container ${c.id}: ${String(e)}`);
    });
  }

  /** Containers of this node, optionally of one role. */
  async listNodeContainers(role?: string): Promise<NodeContainer[]> {
    const labels = [`${LABEL_NODE}=${this.config.nodeName}`];
    if (role) labels.push(`${LABEL_ROLE}=${role}`);
    const list = await this.guard(() => this.docker.listContainers({ all: true, filters: { label: labels } }));
    return list.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      runId: c.Labels[LABEL_RUN] ?? null,
      role: c.Labels[LABEL_ROLE] ?? 'run',
    }));
  }

  /** Whether the run's image exists locally (no registry pulls: the image is built on the node). */
  async hasImage(runtime: string): Promise<boolean> {
    try {
      await this.docker.getImage(this.imageOf(runtime)).inspect();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Attaches to a created container's stdin/stdout/stderr (before `start`, so no line is missed).
   * Why attach rather than the archive API: putting the input in costs ~80-150 ms and copying the
   * output out ~90-130 ms (Docker forks a chrooted tar helper for each); one JSON line each way over
   * an attached stream costs a few ms, and the output is there the moment the runner prints DONE,
   * without waiting for the container to exit.
   */
  async attach(container: Docker.Container): Promise<RunnerChannel> {
    const stream = (await this.guard(() =>
      container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }),
    )) as unknown as NodeJS.ReadWriteStream;
    return new RunnerChannel(container, stream);
  }

  /**
   * Waits for the runner's output, killing the container at `deadlineMs` or when `signal` aborts.
   * Resolves as soon as the runner printed DONE (the container may still be exiting: the caller
   * removes it). If the runner died without DONE, the exit code and any files come from Docker.
   */
  async collect(channel: RunnerChannel, deadlineMs: number, signal: AbortSignal): Promise<RunOutput> {
    const container = channel.container;
    let killed: RunOutput['killed'] = null;
    const kill = (why: KillReason) => {
      if (channel.output) return; // finished already: nothing to kill
      killed ??= why;
      container.kill().catch(() => undefined);
    };
    const timer = setTimeout(() => kill('timeout'), Math.max(0, deadlineMs));
    const onAbort = () => kill(signal.reason === 'shutdown' ? 'shutdown' : 'cancelled');
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) onAbort();
    try {
      await channel.ended;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    const done = channel.output;
    if (done) {
      const files = new Map<string, Buffer>();
      if (done.notebook != null) files.set('notebook.ipynb', Buffer.from(done.notebook, 'utf8'));
      if (done.snapshot != null) files.set('snapshot.html', Buffer.from(done.snapshot, 'utf8'));
      files.set('result.json', Buffer.from(JSON.stringify(done.result), 'utf8'));
      const status = (done.result as { status?: string } | null)?.status ?? 'error';
      return { exitCode: EXIT_CODES[status] ?? 2, killed, files, logs: channel.stderrTail() };
    }
    const r = (await this.guard(() => container.wait())) as { StatusCode: number };
    let files = new Map<string, Buffer>();
    try {
      files = await unpackTar(await container.getArchive({ path: '/work/output' }));
    } catch {
      // No output: killed before the runner wrote any.
    }
    return { exitCode: r.StatusCode, killed, files, logs: channel.stderrTail() };
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ECONNRESET' || code === 'EPIPE') {
        throw new DockerUnavailableError(`Docker engine unavailable (${code})`);
      }
      throw e;
    }
  }
}

const EXIT_CODES: Record<string, number> = { succeeded: 0, failed: 1, error: 2, timeout: 3 };
const STDERR_TAIL = 16 * 1024;

/** What the runner prints on its OUTPUT line (stdin mode; runner/README.md). */
export interface RunnerOutput {
  result: unknown;
  notebook: string | null;
  snapshot: string | null;
}

/**
 * The attached streams of one runner container: sends the input line, and reads READY, OUTPUT and
 * DONE from stdout (Docker multiplexes stdout and stderr into 8-byte-header frames without a TTY).
 */
export class RunnerChannel {
  /** Resolves when the runner printed READY; rejects if the stream ends first. */
  readonly ready: Promise<void>;
  /** Resolves when the runner printed DONE, or when the stream ended (container gone). */
  readonly ended: Promise<void>;
  output: RunnerOutput | null = null;
  closed = false;
  private readonly frames: Buffer[] = [];
  private line: Buffer[] = [];
  private stderr = '';
  private onReady!: () => void;
  private onReadyFail!: (e: Error) => void;
  private onEnd!: () => void;

  constructor(
    readonly container: Docker.Container,
    private readonly stream: NodeJS.ReadWriteStream,
  ) {
    this.ready = new Promise<void>((res, rej) => ((this.onReady = res), (this.onReadyFail = rej)));
    this.ready.catch(() => undefined);
    this.ended = new Promise<void>((res) => (this.onEnd = res));
    stream.on('data', (c: Buffer) => this.onData(c));
    const end = () => {
      this.closed = true;
      this.onReadyFail(new Error('the runner container ended before it was ready'));
      this.onEnd();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  /** One JSON line on stdin; the runner reads it as soon as its kernel is up. */
  async send(input: RunInput): Promise<void> {
    const line = JSON.stringify({ notebook: input.notebook, spec: input.spec }) + '\n';
    await new Promise<void>((res, rej) => this.stream.write(line, (e) => (e ? rej(e) : res())));
  }

  stderrTail(): string {
    return this.stderr;
  }

  /** Drops the connection (the container itself is removed by the caller). */
  close(): void {
    (this.stream as unknown as { destroy(): void }).destroy();
  }

  private onData(chunk: Buffer): void {
    this.frames.push(chunk);
    let buf = this.frames.length === 1 ? this.frames[0] : Buffer.concat(this.frames);
    let i = 0;
    while (i + 8 <= buf.length) {
      const len = buf.readUInt32BE(i + 4);
      if (i + 8 + len > buf.length) break;
      const payload = buf.subarray(i + 8, i + 8 + len);
      if (buf[i] === 2) this.stderr = (this.stderr + payload.toString('utf8')).slice(-STDERR_TAIL);
      else this.onStdout(payload);
      i += 8 + len;
    }
    buf = buf.subarray(i);
    this.frames.length = 0;
    if (buf.length) this.frames.push(buf);
  }

  private onStdout(payload: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = payload.indexOf(10, start);
      if (nl < 0) {
        if (start < payload.length) this.line.push(Buffer.from(payload.subarray(start)));
        return;
      }
      this.line.push(payload.subarray(start, nl));
      const text = Buffer.concat(this.line).toString('utf8');
      this.line = [];
      this.onLine(text);
      start = nl + 1;
    }
  }

  private onLine(text: string): void {
    if (text === 'NBRUNNER READY') this.onReady();
    else if (text.startsWith('NBRUNNER OUTPUT ')) {
      try {
        this.output = JSON.parse(text.slice('NBRUNNER OUTPUT '.length)) as RunnerOutput;
      } catch {
        this.output = null;
      }
    } else if (text.startsWith('NBRUNNER DONE ')) this.onEnd();
  }
}

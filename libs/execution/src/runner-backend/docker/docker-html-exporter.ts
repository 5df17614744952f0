import { Inject, Injectable, Logger } from '@nestjs/common';
import type Docker from 'dockerode';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '@app/config';
import { ExporterClient } from '../exporter-client';
import { HtmlExporter, RenderedSnapshot } from '../html-exporter';
import { withTimeout } from '../../with-timeout';
import { DockerRunnerBackend, LABEL_EXPORTER } from './docker-runner-backend';

const READY_TIMEOUT_MS = 30_000;
const MEMORY_BYTES = 512 * 1024 * 1024;
const RESTART_MAX_DELAY_MS = 30_000;
/** Where the shared folder is mounted in the exporter, and its socket there. */
const SOCKET_MOUNT = '/run/nbexporter';
const SOCKET_NAME = 'exporter.sock';
const CONNECT_TIMEOUT_MS = 2000;

/**
 * The exporter as one container of the default runtime's image (entrypoint `python3 -m nbrunner.exporter`), no
 * network, read-only root filesystem, a memory limit. Labelled `nbautomation.exporter-of=<node>`, not with the node
 * label of run containers: the cap, the warm pool and whoever counts a node's runners never see it. Removed on stop;
 * StdinOnce and AutoRemove: if the worker dies, its stdin closes, it exits and Docker removes it (the node's
 * reconciliation removes what an engine restart left).
 *
 * Requests go over a Unix socket in a folder of the worker's mounted into the container (a 0.5 MB snapshot through
 * Docker's attach stream takes ~25 ms, through the socket ~1 ms). Where the worker cannot reach that socket (it runs
 * in a container of its own without the folder mounted at the same path) they go over the attach stream, as before.
 */
@Injectable()
export class DockerHtmlExporter extends HtmlExporter {
  private readonly log = new Logger('HtmlExporter');
  private client?: ExporterClient;
  private container?: Docker.Container;
  private stream?: NodeJS.ReadWriteStream;
  private socket?: Socket;
  /** The folder shared with the exporter (its socket), removed with it. */
  private dir?: string;
  private stopped = false;
  private restartDelayMs = 1000;
  private restartTimer?: NodeJS.Timeout;
  private starting?: Promise<void>;

  constructor(
    private readonly backend: DockerRunnerBackend,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  get up(): boolean {
    return !!this.client?.ready;
  }

  /** The container's id while it runs (tests and operators). */
  get id(): string | undefined {
    return this.container?.id;
  }

  /** What carries the requests while it is up: its socket, or the attach stream where the socket is out of reach. */
  get carrier(): 'socket' | 'attach' | undefined {
    return this.up ? (this.socket ? 'socket' : 'attach') : undefined;
  }

  start(): Promise<void> {
    if (this.up) return Promise.resolve();
    this.stopped = false;
    clearTimeout(this.restartTimer); // asked now: no need to wait for the scheduled restart
    this.restartTimer = undefined;
    return (this.starting ??= this.launch().finally(() => (this.starting = undefined)));
  }

  async render(notebook: string, timeoutMs: number): Promise<RenderedSnapshot> {
    if (!this.client) throw new Error('the exporter is not running');
    return this.client.render(notebook, timeoutMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.starting?.catch(() => undefined);
    await this.teardown(new Error('the worker is stopping'));
  }

  private async launch(): Promise<void> {
    const image = this.config.execution.runtimes[this.config.execution.defaultRuntime];
    let container: Docker.Container | undefined;
    try {
      const dir = (this.dir = await mkdtemp(join(this.config.execution.exporterSocketDir ?? tmpdir(), 'nba-exporter-')));
      // The folder itself is the worker's (0700); its `io` is writable by the exporter's user, whatever its uid.
      const io = join(dir, 'io');
      await mkdir(io);
      await chmod(io, 0o777);
      container = await this.backend.createExporter(image, {
        Entrypoint: ['python3', '-m', 'nbrunner.exporter'],
        Env: [`NBRUNNER_EXPORTER_SOCKET=${SOCKET_MOUNT}/${SOCKET_NAME}`],
        OpenStdin: true,
        StdinOnce: true,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Labels: { [LABEL_EXPORTER]: this.config.nodeName },
        HostConfig: {
          NetworkMode: 'none',
          ReadonlyRootfs: true,
          Tmpfs: { '/tmp': 'rw,size=16m' },
          Memory: MEMORY_BYTES,
          MemorySwap: MEMORY_BYTES,
          PidsLimit: 32,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          AutoRemove: true,
          Binds: [`${io}:${SOCKET_MOUNT}`],
        },
      });
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as NodeJS.ReadWriteStream;
      let onReady!: () => void;
      let onEnd!: (e: Error) => void;
      const ready = new Promise<void>((res, rej) => ((onReady = res), (onEnd = rej)));
      ready.catch(() => undefined);
      // The attach stream until the socket is connected (requests made meanwhile are answered there too).
      let carrier: NodeJS.WritableStream = stream;
      const client = new ExporterClient(
        (line) => new Promise<void>((res, rej) => carrier.write(line, (e?: Error | null) => (e ? rej(e) : res()))),
        () => void this.restart(new Error('the exporter stopped answering'), client),
        onReady,
      );
      const fromStdout = client.reader();
      let stderr = '';
      const stdout = { write: (b: Buffer) => (fromStdout(b), true) };
      const errOut = { write: (b: Buffer) => ((stderr = (stderr + b.toString('utf8')).slice(-2000)), true) };
      this.backend.demux(stream, stdout as unknown as NodeJS.WritableStream, errOut as unknown as NodeJS.WritableStream);
      const ended = () => {
        const why = new Error(`the exporter ended${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`);
        onEnd(why); // an image without nbrunner.exporter (older, custom) exits at once: no waiting for READY
        void this.restart(why, client);
      };
      stream.on('end', ended);
      stream.on('close', ended);
      stream.on('error', ended);
      Object.assign(this, { client, container, stream });
      await container.start();
      await withTimeout(ready, READY_TIMEOUT_MS, 'no READY from the exporter');
      const socket = await this.connectSocket(join(io, SOCKET_NAME), client);
      if (socket && this.client !== client) socket.destroy(); // it died meanwhile: a restart is on its way
      else if (socket) carrier = this.socket = socket;
      this.restartDelayMs = 1000;
      this.log.log(`exporter ${container.id.slice(0, 12)} ready (${image}), requests over ${socket ? 'its socket' : 'the attach stream'}`);
    } catch (e) {
      this.log.warn(`exporter not started (runs render their own snapshots meanwhile): ${(e as Error).message}`);
      if (this.container === container) await this.teardown(e as Error);
      else if (container) await this.backend.remove(container);
      this.scheduleRestart();
    }
  }

  /** The exporter's socket, connected, its lines going to `client`; undefined when the worker cannot reach it. */
  private async connectSocket(path: string, client: ExporterClient): Promise<Socket | undefined> {
    const socket = connect(path);
    try {
      await withTimeout(
        new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej)),
        CONNECT_TIMEOUT_MS,
        'no answer on the exporter socket',
      );
    } catch (e) {
      socket.destroy();
      this.log.warn(`exporter socket not reachable (${(e as Error).message}); requests go over the attach stream`);
      return undefined;
    }
    socket.on('data', client.reader());
    const closed = () => void this.restart(new Error('the exporter closed its socket'), client);
    socket.on('close', closed);
    socket.on('error', closed);
    return socket;
  }

  /** `from` is the client that saw it die: a late event of an older exporter changes nothing. */
  private async restart(why: Error, from: ExporterClient): Promise<void> {
    if (this.client !== from) return;
    this.log.warn(`${why.message}; restarting it`);
    await this.teardown(why);
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.stopped || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped) void this.start();
    }, this.restartDelayMs);
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, RESTART_MAX_DELAY_MS);
  }

  private async teardown(why: Error): Promise<void> {
    const { client, container, stream, socket, dir } = this;
    this.client = this.container = this.stream = this.socket = this.dir = undefined;
    client?.close(why);
    socket?.destroy();
    (stream as unknown as { destroy?(): void } | undefined)?.destroy?.();
    if (container) await this.backend.remove(container);
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

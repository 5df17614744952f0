import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { RuntimeEntity } from '@app/db';
import { containerLimits } from '@app/runtimes';
import { AcquireOptions, LeftoverRunner, RunnerBackend, RunnerUnavailableError } from '../runner-backend';
import { withTimeout } from '../../with-timeout';
import { StartGate } from '../start-gate';
import { DockerRunnerSession } from './docker-runner-session';

export const LABEL_NODE = 'nbautomation.node';
export const LABEL_RUN = 'nbautomation.run';
export const LABEL_ROLE = 'nbautomation.role';
/** The worker's HTML exporter (docker-html-exporter.ts): its own label, so that it never counts as a runner. */
export const LABEL_EXPORTER = 'nbautomation.exporter-of';
/** The longest a start-up holds its place in the start gate (a cold start-up here takes ~0.5 s alone). */
const START_GATE_HOLD_MS = 10_000;

/**
 * The only code that talks to Docker. One fresh container per run, network and resource limits from the
 * configuration, labels naming the node and run, input and output over the attached streams (no bind mounts,
 * so a remote engine works), always removed afterwards.
 */
@Injectable()
export class DockerRunnerBackend extends RunnerBackend {
  private readonly log = new Logger('DockerRunnerBackend');
  private readonly docker: Docker;
  private readonly starts: StartGate;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    this.docker = new Docker({ socketPath: config.execution.dockerSocket });
    this.starts = new StartGate(config.execution.startsAtOnce, START_GATE_HOLD_MS);
  }

  async ping(): Promise<boolean> {
    try {
      await this.docker.ping();
      return true;
    } catch {
      return false;
    }
  }

  async hasImage(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch {
      return false;
    }
  }

  async images(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const i of await this.guard(() => this.docker.listImages())) {
      out[i.Id] = i.Id;
      for (const t of i.RepoTags ?? []) if (t !== '<none>:<none>') out[t] = i.Id;
    }
    return out;
  }

  /**
   * Runs MANIFEST_SCRIPT in a throw-away container of the image (no network, not labelled with the node, so it
   * never counts as one of the node's runners). Any image with python3 works, also ones built before this code.
   */
  async readManifest(image: string): Promise<unknown> {
    const c = await this.guard(() =>
      this.docker.createContainer({
        Image: image,
        Entrypoint: ['python3', '-c', MANIFEST_SCRIPT],
        Tty: true, // raw logs, no stream framing
        Labels: { 'nbautomation.manifest-of': this.config.nodeName },
        HostConfig: { NetworkMode: 'none', Memory: 256 * 1024 * 1024, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
      }),
    );
    try {
      await this.guard(() => c.start());
      const r = (await this.guard(() => c.wait())) as { StatusCode: number };
      const logs: unknown = await c.logs({ stdout: true, stderr: false, follow: false });
      // docker-modem hands back an output that is one JSON document already parsed.
      if (r.StatusCode === 0 && logs && typeof logs === 'object' && !Buffer.isBuffer(logs)) return logs;
      const text = String(logs);
      if (r.StatusCode !== 0) throw new Error(`the manifest script exited with ${r.StatusCode} in ${image}: ${text.slice(-300)}`);
      return JSON.parse(text.trim().split('\n').pop() ?? '');
    } finally {
      await this.remove(c);
    }
  }

  /**
   * Create → attach (before start, so no line is missed) → start → READY → CPU limit, create to READY inside the
   * start gate (CONTAINER_STARTS_AT_ONCE). Whatever fails or is aborted on the way is removed before this rejects.
   */
  async acquire(runtime: RuntimeEntity, opts: AcquireOptions): Promise<DockerRunnerSession> {
    const { signal } = opts;
    const leave = await this.starts.enter(signal); // left at READY, or on the way out (leaving twice is harmless)
    let container: Docker.Container | undefined;
    let session: DockerRunnerSession | undefined;
    const onAbort = () => session?.close(); // its pending step then fails fast
    signal?.addEventListener('abort', onAbort);
    try {
      const c = (container = await this.create(runtime, opts.runId));
      signal?.throwIfAborted();
      session = await this.attach(c);
      signal?.throwIfAborted();
      await this.guard(() => c.start());
      signal?.throwIfAborted();
      if (opts.readyTimeoutMs !== undefined) {
        await withTimeout(session.ready, opts.readyTimeoutMs, 'no READY from a warm container');
      } else {
        // A runner that ends without READY (its kernel could not start) still has its error output collected.
        await Promise.race([session.ready.catch(() => undefined), session.ended]);
      }
      leave();
      signal?.throwIfAborted();
      if (!session.closed && !this.cpuAtCreate(runtime)) await this.limitCpu(c, runtime);
      signal?.throwIfAborted();
      return session;
    } catch (e) {
      session?.close();
      if (container) await this.remove(container);
      throw e;
    } finally {
      leave();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async reconcileNode(opts: { keep?: (id: string) => boolean; stoppedOnly?: boolean } = {}): Promise<LeftoverRunner[]> {
    const of = (label: string) => this.guard(() => this.docker.listContainers({ all: true, filters: { label: [`${label}=${this.config.nodeName}`] } }));
    // The node's runners, and its exporters (a previous process's, or one an engine restart stopped).
    const list = [...(await of(LABEL_NODE)), ...(await of(LABEL_EXPORTER))];
    const found = list
      .filter((c) => !opts.keep?.(c.Id) && !(opts.stoppedOnly && (c.State === 'running' || c.State === 'created' || c.State === 'restarting')))
      .map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        runId: c.Labels[LABEL_RUN] ?? null,
        role: c.Labels[LABEL_EXPORTER] ? 'exporter' : (c.Labels[LABEL_ROLE] ?? 'run'),
      }));
    for (const c of found) await this.remove(this.docker.getContainer(c.id));
    return found;
  }

  /**
   * `nba-<node>-<run>-<random>`: named after its run for operators reading `docker ps`, and unique per attempt,
   * so a retry never collides with a container an engine restart left behind.
   */
  nameFor(runId: string): string {
    return `nba-${this.config.nodeName}-${runId}-${randomBytes(3).toString('hex')}`;
  }

  async reachable(untilMs: number): Promise<void> {
    while (!(await this.ping())) {
      if (Date.now() >= untilMs) throw new RunnerUnavailableError('Docker engine unavailable (it did not come back before the run\'s deadline)');
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async remove(c: Docker.Container): Promise<void> {
    await c.remove({ force: true, v: true }).catch((e: { statusCode?: number }) => {
      // 409: Docker is removing it already (AutoRemove of the exporter).
      if (e.statusCode !== 404 && e.statusCode !== 409) this.log.warn(`could not remove container ${c.id}: ${String(e)}`);
    });
  }

  /** Creates (not starts) the worker's exporter container (docker-html-exporter.ts), with the runners' OCI runtime. */
  createExporter(image: string, spec: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    const runtime = this.config.execution.dockerRuntime;
    return this.guard(() => this.docker.createContainer({ ...spec, Image: image, HostConfig: { ...spec.HostConfig, ...(runtime ? { Runtime: runtime } : {}) } }));
  }

  /** Splits an attached (non-TTY) stream into stdout and stderr. */
  demux(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void {
    this.docker.modem.demuxStream(stream, stdout, stderr);
  }

  async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ECONNRESET' || code === 'EPIPE') {
        throw new RunnerUnavailableError(`Docker engine unavailable (${code})`);
      }
      throw e;
    }
  }

  /** Creates (but does not start) a runner container for a runtime, with its limits and network. */
  private create(runtime: RuntimeEntity, runId: string | null): Promise<Docker.Container> {
    const e = this.config.execution;
    // Memory, swap, shared memory and pids limits hold from the start; the CPU limit too unless limitCpu sets it later.
    const { NanoCpus, ...rest } = containerLimits(runtime);
    const limits = this.cpuAtCreate(runtime) ? { ...rest, NanoCpus } : rest;
    const labels: Record<string, string> = { [LABEL_NODE]: this.config.nodeName, [LABEL_ROLE]: runId ? 'run' : 'warm' };
    if (runId) labels[LABEL_RUN] = runId;
    return this.guard(() =>
      this.docker.createContainer({
        Image: runtime.imageId,
        name: runId ? this.nameFor(runId) : undefined,
        Labels: labels,
        Tty: false,
        // The input arrives on stdin and the output leaves on stdout (see `attach`).
        OpenStdin: true,
        StdinOnce: false,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Env: this.runnerEnv(),
        HostConfig: {
          ...(e.dockerRuntime ? { Runtime: e.dockerRuntime } : {}),
          ...limits,
          PidsLimit: e.pidsLimit,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
        },
      }),
    );
  }

  /**
   * Stdin mode; the engine to use (an image without it ignores the variable); with the snapshot rendered by the
   * worker's exporter, the runner imports and warms no nbconvert (a run whose spec still asks for it renders anyway).
   */
  private runnerEnv(): string[] {
    const e = this.config.execution;
    const env = ['NBRUNNER_INPUT=stdin', `NBRUNNER_ENGINE=${e.runnerEngine}`];
    if (e.snapshotExport === 'host') env.push('NBRUNNER_SNAPSHOT=none');
    return env;
  }

  /**
   * Applies the runtime's CPU limit (maxCpu) once the runner is READY and before it gets its input, so every notebook
   * cell, warm or cold, runs under the limit. Why not at create (where the in-process engine with a limit of at least
   * one CPU gets it, see cpuAtCreate): the kernel engine's start-up (kernel launch and imports, two processes in
   * parallel) takes ~1.5x longer under a 1-CPU quota on this 2-core VM, as any start-up under less than one CPU does,
   * and no user code runs before READY.
   */
  private async limitCpu(container: Docker.Container, runtime: RuntimeEntity): Promise<void> {
    await this.guard(() => container.update({ NanoCpus: containerLimits(runtime).NanoCpus }));
  }

  /**
   * The in-process engine starts in one thread, which a quota of one CPU or more does not slow (kernelReadyMs the
   * same with and without `--cpus 1` here): its limit is set at create, one Docker call less per run.
   */
  private cpuAtCreate(runtime: RuntimeEntity): boolean {
    return this.config.execution.runnerEngine === 'inprocess' && runtime.maxCpu >= 1;
  }

  /**
   * Why attach rather than the archive API: putting the input in costs ~80-150 ms and copying the output out
   * ~90-130 ms (Docker forks a chrooted tar helper for each); one JSON line each way over an attached stream
   * costs a few ms, and the output is there the moment the runner prints DONE, without waiting for the exit.
   */
  private async attach(container: Docker.Container): Promise<DockerRunnerSession> {
    const stream = (await this.guard(() =>
      container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }),
    )) as unknown as NodeJS.ReadWriteStream;
    return new DockerRunnerSession(container, stream, this.docker.modem, this);
  }
}

/** Prints the image's Python and every installed distribution with its version, as one JSON line. */
const MANIFEST_SCRIPT = [
  'import json, platform',
  'from importlib import metadata',
  'libs = {}',
  'for d in metadata.distributions():',
  '    n = d.metadata.get("Name")',
  '    if n: libs.setdefault(n.lower(), {"name": n, "version": d.version})',
  'print(json.dumps({"python": platform.python_version(), "libraries": sorted(libs.values(), key=lambda x: x["name"].lower())}))',
].join('\n');

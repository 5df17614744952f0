import { Inject, Injectable, Logger } from '@nestjs/common';
import Docker from 'dockerode';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AcquireOptions, LeftoverRunner, RunnerBackend, RunnerUnavailableError } from '../runner-backend';
import { DockerRunnerSession } from './docker-runner-session';

export const LABEL_NODE = 'nbautomation.node';
export const LABEL_RUN = 'nbautomation.run';
export const LABEL_ROLE = 'nbautomation.role';

/**
 * The only code that talks to Docker. One fresh container per run, network and resource limits from the
 * configuration, labels naming the node and run, input and output over the attached streams (no bind mounts,
 * so a remote engine works), always removed afterwards.
 */
@Injectable()
export class DockerRunnerBackend extends RunnerBackend {
  private readonly log = new Logger('DockerRunnerBackend');
  private readonly docker: Docker;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
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

  async hasImage(runtime: string): Promise<boolean> {
    try {
      await this.docker.getImage(this.imageOf(runtime)).inspect();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Create → attach (before start, so no line is missed) → start → READY → CPU limit. Whatever fails or is
   * aborted on the way is removed before this rejects.
   */
  async acquire(runtime: string, opts: AcquireOptions): Promise<DockerRunnerSession> {
    const { signal } = opts;
    const container = await this.create(runtime, opts.runId);
    let session: DockerRunnerSession | undefined;
    const onAbort = () => session?.close(); // its pending step then fails fast
    signal?.addEventListener('abort', onAbort);
    try {
      signal?.throwIfAborted();
      session = await this.attach(container);
      signal?.throwIfAborted();
      await this.guard(() => container.start());
      signal?.throwIfAborted();
      if (opts.readyTimeoutMs !== undefined) {
        await withTimeout(session.ready, opts.readyTimeoutMs, 'no READY from a warm container');
      } else {
        // A runner that ends without READY (its kernel could not start) still has its error output collected.
        await Promise.race([session.ready.catch(() => undefined), session.ended]);
      }
      signal?.throwIfAborted();
      if (!session.closed) await this.limitCpu(container);
      signal?.throwIfAborted();
      return session;
    } catch (e) {
      session?.close();
      await this.remove(container);
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async reconcileNode(): Promise<LeftoverRunner[]> {
    const list = await this.guard(() => this.docker.listContainers({ all: true, filters: { label: [`${LABEL_NODE}=${this.config.nodeName}`] } }));
    const found = list.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      runId: c.Labels[LABEL_RUN] ?? null,
      role: c.Labels[LABEL_ROLE] ?? 'run',
    }));
    for (const c of found) await this.remove(this.docker.getContainer(c.id));
    return found;
  }

  nameFor(runId: string): string {
    return `nba-${this.config.nodeName}-${runId}`;
  }

  async remove(c: Docker.Container): Promise<void> {
    await c.remove({ force: true, v: true }).catch((e: { statusCode?: number }) => {
      if (e.statusCode !== 404) this.log.warn(`could not remove container ${c.id}: ${String(e)}`);
    });
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

  private imageOf(runtime: string): string {
    const image = this.config.execution.runtimes[runtime];
    if (!image) throw new Error(`unknown runtime '${runtime}'`);
    return image;
  }

  /** Creates (but does not start) a runner container for a runtime, with the site's limits. */
  private create(runtime: string, runId: string | null): Promise<Docker.Container> {
    const e = this.config.execution;
    const labels: Record<string, string> = { [LABEL_NODE]: this.config.nodeName, [LABEL_ROLE]: runId ? 'run' : 'warm' };
    if (runId) labels[LABEL_RUN] = runId;
    return this.guard(() =>
      this.docker.createContainer({
        Image: this.imageOf(runtime),
        name: runId ? this.nameFor(runId) : undefined,
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
   * Applies the site's CPU limit (CONTAINER_CPUS) once the runner is READY and before it gets its input, so
   * every notebook cell, warm or cold, runs under the limit. Why not at create: the runner's start-up (kernel
   * launch and nbconvert imports, two processes in parallel) takes ~1.5x longer under a 1-CPU quota on this
   * 2-core VM, and no user code runs before READY.
   */
  private async limitCpu(container: Docker.Container): Promise<void> {
    await this.guard(() => container.update({ NanoCpus: Math.round(this.config.execution.cpus * 1e9) }));
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

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what} within ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { Client } from 'pg';

/**
 * Redis, Postgres and a Docker engine of a test's own, so a fault suite can kill and restart them without
 * touching the machine's shared services. Each kills only the processes it started, by PID.
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await (async () => fn())().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what} within ${timeoutMs} ms`);
}

function killAndWait(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode) return Promise.resolve();
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  return gone;
}

/** `redis-server` on a free port, no persistence: a restart comes back empty. */
export class PrivateRedis {
  private child?: ChildProcess;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await until('redis-server answering', () => execFileSync('redis-cli', ['-p', String(this.port), 'ping']).toString().trim() === 'PONG', 20_000);
  }

  async kill(): Promise<void> {
    await killAndWait(this.child, 'SIGKILL');
  }
}

/** A Postgres cluster of its own (initdb + pg_ctl), on a free port and its own socket directory. */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
    const bin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((b) => existsSync(join(b, 'initdb')));
    if (!bin) throw new Error('no initdb under /usr/lib/postgresql/*/bin');
    const dir = mkdtempSync(join(tmpdir(), 'nbf-pg-'));
    const pg = new PrivatePostgres(dir, await freePort(), bin);
    mkdirSync(pg.socketDir);
    if (process.getuid?.() === 0) {
      // initdb refuses to run as root: the cluster belongs to the postgres user.
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      chownSync(dir, uid, gid);
      chownSync(pg.socketDir, uid, gid);
    }
    pg.run('initdb', ['-D', pg.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await pg.start();
    const c = new Client({ connectionString: pg.adminUrl });
    await c.connect();
    await c.query('CREATE DATABASE nbautomation');
    await c.end();
    return pg;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }
  get socketDir(): string {
    return join(this.dir, 'sock');
  }
  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/nbautomation`;
  }

  private run(tool: string, args: string[]): void {
    const cmd = join(this.bin, tool);
    if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
    else execFileSync(cmd, args, { stdio: 'pipe' });
  }

  async start(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    this.run('pg_ctl', ['-D', this.dataDir, '-o', opts, '-l', join(this.dir, 'log'), '-w', 'start']);
  }

  /** `pg_ctl -m immediate stop`: every connection drops at once, as in a crash. */
  async stopImmediate(): Promise<void> {
    this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const c = new Client({ connectionString: this.url });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  async destroy(): Promise<void> {
    try {
      this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Docker engine of its own (`dockerd` with its own socket, data root, exec root and containerd), with the runner image loaded. */
export class PrivateDocker {
  private child?: ChildProcess;
  readonly docker: Docker;

  private constructor(readonly dir: string) {
    this.docker = new Docker({ socketPath: this.socket });
  }

  static async start(images: string[]): Promise<PrivateDocker> {
    // Short path: a unix socket path must stay under ~100 bytes.
    const d = new PrivateDocker(mkdtempSync('/tmp/nbf-d-'));
    await d.start();
    for (const image of images) execFileSync('sh', ['-c', `docker save ${image} | docker -H unix://${d.socket} load`], { stdio: 'pipe' });
    return d;
  }

  get socket(): string {
    return join(this.dir, 'd.sock');
  }

  async start(): Promise<void> {
    const args = [
      `--host=unix://${this.socket}`,
      `--data-root=${join(this.dir, 'data')}`,
      `--exec-root=${join(this.dir, 'exec')}`,
      `--pidfile=${join(this.dir, 'd.pid')}`,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--storage-driver=overlay2',
    ];
    this.child = spawn('dockerd', args, { stdio: 'ignore' });
    await until('the private dockerd answering', async () => (await this.docker.ping(), true), 60_000);
  }

  /** SIGKILL: as when the engine crashes; its containers' shims live on and are reaped at the next start. */
  async kill(): Promise<void> {
    await killAndWait(this.child, 'SIGKILL');
  }

  async containers(label: string): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: { label: [label] } });
  }

  async destroy(): Promise<void> {
    if (this.child?.exitCode === null && !this.child.signalCode) {
      for (const c of await this.docker.listContainers({ all: true }).catch(() => [])) {
        await this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      }
    }
    await killAndWait(this.child, 'SIGTERM');
    // Its containerd, if it outlived a SIGKILLed dockerd.
    const ctrPid = join(this.dir, 'exec', 'containerd', 'containerd.pid');
    if (existsSync(ctrPid)) {
      try {
        process.kill(Number(readFileSync(ctrPid, 'utf8')), 'SIGTERM');
      } catch {
        // gone
      }
    }
    // dockerd bind-mounts its data root onto itself.
    try {
      execFileSync('sh', ['-c', `grep ' ${this.dir}' /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l`], { stdio: 'pipe' });
    } catch {
      // nothing mounted
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

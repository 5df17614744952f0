/**
 * What every benchmark needs: its own database and Redis prefix (as the integration tests), the BUILT
 * api and worker spawned as separate processes (as in production; `npm run build` first, which each
 * `npm run bench:*` script does), an HTTP client, Docker counts, percentiles and the JSON result file.
 * All traffic stays on loopback.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { Client } from 'pg';
import { AppConfig } from '@app/config';
import { freePort } from '../test/support/private-services';
import { AppProcess, envFor } from '../test/support/processes';
import { testConfig } from '../test/support/test-env';

/** A JSON answer of the API, read loosely (benchmarks pick a few fields). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

export const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SiteOptions {
  /** Extra environment for both processes (e.g. WARM_POOL_SIZE, MAX_CONTAINERS_PER_NODE). */
  env?: Record<string, string>;
  worker?: boolean;
}

/** One api and (optionally) one worker node, on a fresh database; `stop()` removes everything. */
export class Site {
  api!: AppProcess;
  worker?: AppProcess;
  config!: AppConfig;
  base!: string;
  pg!: Client;
  private dropDb!: () => Promise<void>;
  private adminToken?: string;

  static async start(opts: SiteOptions = {}): Promise<Site> {
    const s = new Site();
    const port = await freePort();
    const env = { HEARTBEAT_SECONDS: '1', ...opts.env };
    const t = await testConfig(env);
    s.config = t.config;
    s.dropDb = t.dropDb;
    s.base = `http://127.0.0.1:${port}`;
    const procEnv = envFor(t.config, { ...env, PORT: String(port), NODE_ENV: 'production', TOKEN_SECRET: 'bench-token-secret-0123456789abcdef-xyz', LOG_LEVEL: 'warn' });
    s.api = AppProcess.start('api', procEnv);
    const until = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${s.base}/ready`).then((r) => r.ok).catch(() => false);
      if (ok) break;
      if (Date.now() > until) throw new Error(`api not ready:\n${s.api.output.join('').slice(-3000)}`);
      if (s.api.child.exitCode !== null) throw new Error(`api exited:\n${s.api.output.join('').slice(-3000)}`);
      await sleep(100);
    }
    if (opts.worker !== false) {
      // Info level: the worker's 'taking runs' line is how we know it is up.
      s.worker = AppProcess.start('worker', { ...procEnv, LOG_LEVEL: 'info' });
      await s.worker.waitFor('taking runs', 60_000);
    }
    s.pg = new Client({ connectionString: t.config.db.url });
    await s.pg.connect();
    return s;
  }

  get nodeName(): string {
    return this.config.nodeName;
  }

  async token(): Promise<string> {
    if (this.adminToken) return this.adminToken;
    const r = await this.form('/sharing/rest/generateToken', { username: 'admin', password: 'admin-password', f: 'json', expiration: '1440' }, false);
    this.adminToken = r.token as string;
    return this.adminToken;
  }

  /** POST a form as the admin; throws on an HTTP or product error. */
  async form(path: string, fields: Record<string, string>, auth = true): Promise<Body> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (auth) headers.authorization = `Bearer ${await this.token()}`;
    const res = await fetch(this.base + path, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
    const body = (await res.json()) as Body;
    if (!res.ok || body.error) throw new Error(`${path}: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
    return body;
  }

  async get(path: string): Promise<Body> {
    const res = await fetch(this.base + path, { headers: { authorization: `Bearer ${await this.token()}` } });
    return (await res.json()) as Body;
  }

  async addNotebook(nb: object, title = 'bench'): Promise<string> {
    const r = await this.form('/sharing/rest/content/users/admin/addItem', { type: 'Notebook', title, text: JSON.stringify(nb), f: 'json' });
    return r.id as string;
  }

  async setProperties(p: Record<string, unknown>): Promise<void> {
    await this.form('/arcgis/admin/system/properties/update', { properties: JSON.stringify(p), f: 'json' });
  }

  async stop(): Promise<void> {
    await this.worker?.stop().catch(() => undefined);
    await this.api?.stop().catch(() => undefined);
    await this.pg?.end().catch(() => undefined);
    await this.dropDb?.().catch(() => undefined);
    // Anything a killed worker left behind.
    for (const c of await containersOf(this.config?.nodeName ?? 'none').catch(() => [])) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
  }
}

/** Containers Docker has for a node, optionally of one role (`warm`, `run`): counted from Docker. */
export function containersOf(nodeName: string, role?: string): Promise<Docker.ContainerInfo[]> {
  const label = [`nbautomation.node=${nodeName}`];
  if (role) label.push(`nbautomation.role=${role}`);
  return docker.listContainers({ all: true, filters: { label } });
}

/** Samples the node's container count from Docker every `everyMs` until stopped; reports the max. */
export function sampleContainers(nodeName: string, everyMs = 100) {
  let max = 0;
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const n = (await containersOf(nodeName).catch(() => [])).length;
      max = Math.max(max, n);
      samples++;
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { max, samples };
    },
  };
}

export function percentiles(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const p = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, min: s[0], p50: p(0.5), p95: p(0.95), p99: p(0.99), max: s[s.length - 1], mean: Math.round(mean * 10) / 10 };
}

export function machine() {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    docker: sh('docker', ['version', '--format', '{{.Server.Version}}']),
    node: process.version,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    otherContainers: sh('sh', ['-c', 'docker ps -q | wc -l']),
  };
}

export function writeResult(name: string, data: object): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ benchmark: name, at: new Date().toISOString(), ...data }, null, 2) + '\n');
  return file;
}

export const oneCell = (source = 'print(1)') => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: [{ cell_type: 'code', id: 'c1', source, metadata: {}, outputs: [], execution_count: null }],
});

/** Runs a benchmark's main and exits (Docker's and Redis' clients would otherwise keep the process alive). */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

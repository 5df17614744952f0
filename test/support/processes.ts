import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '@app/config';
import { logFileFor, runLogDir } from './test-logs';

const ROOT = join(__dirname, '..', '..');

/** The environment that makes a built process use the same database and Redis prefix as a test's config. */
export function envFor(config: AppConfig, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: config.db.url,
    REDIS_URL: config.redis.url,
    REDIS_PREFIX: config.redis.prefix,
    ADMIN_USERNAME: config.auth.initialAdmin.username,
    ADMIN_PASSWORD: config.auth.initialAdmin.password ?? '',
    TOKEN_SECRET: config.auth.tokenSecret,
    BCRYPT_ROUNDS: String(config.auth.bcryptRounds),
    HEARTBEAT_SECONDS: String(config.execution.heartbeatSeconds),
    // As the test's own config: tests count containers, so the pool is on only where a test asks for it.
    WARM_POOL_SIZE: String(config.execution.warmPoolSize),
    NODE_NAME: config.nodeName,
    RUNTIMES: Object.entries(config.execution.runtimes).map(([name, image]) => `${name}=${image}`).join(','),
    // Any free port: tests run side by side on one machine.
    METRICS_PORT: '0',
    // In a jest run everything is logged (and kept, and grepped for the test secrets at the end).
    ...(runLogDir() ? { LOG_LEVEL: 'debug' } : {}),
    ...extra,
  };
}

/** A built app (`npm run build`) running as its own process, as in production. */
export class AppProcess {
  readonly output: string[] = [];
  private constructor(
    readonly child: ChildProcess,
    app: string,
  ) {
    // In a jest run its output is also kept in the run's log directory, which is grepped for secrets at the end.
    const file = logFileFor(`${app}-${child.pid}`);
    const log = file ? createWriteStream(file, { flags: 'a' }) : null;
    const keep = (d: Buffer) => {
      this.output.push(d.toString());
      log?.write(d);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('close', () => log?.end());
  }

  static start(app: 'api' | 'worker', env: Record<string, string>): AppProcess {
    const main = join(ROOT, 'dist', 'apps', app, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
    return new AppProcess(spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }), app);
  }

  /** Resolves once the process has printed `text`. */
  async waitFor(text: string | RegExp, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const all = this.output.join('');
      if (typeof text === 'string' ? all.includes(text) : text.test(all)) return;
      if (this.child.exitCode !== null) throw new Error(`process exited (${this.child.exitCode}):\n${all.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no '${text}' within ${timeoutMs} ms:\n${this.output.join('').slice(-3000)}`);
  }

  /** SIGKILL: no shutdown hooks run, as when a machine dies. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(t);
  }
}

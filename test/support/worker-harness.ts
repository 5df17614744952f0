import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import Docker from 'dockerode';
import { AppConfig } from '@app/config';
import { WorkerModule } from '../../apps/worker/src/worker.module';

/** A worker node running in the test process, against the same database and Redis prefix as the api. */
export async function startWorker(config: AppConfig): Promise<INestApplicationContext> {
  // With a log file (a jest run), everything goes there, as in production; else warnings and errors to the console.
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), config.log.file ? { bufferLogs: true } : { logger: ['error', 'warn'] });
  if (config.log.file) app.useLogger(app.get(PinoLogger));
  await app.init();
  return app;
}

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

/** Containers Docker has for a node (counted from Docker, not from our own counters). */
export async function containersOf(nodeName: string, role?: string): Promise<Docker.ContainerInfo[]> {
  const label = [`nbautomation.node=${nodeName}`];
  if (role) label.push(`nbautomation.role=${role}`);
  return docker.listContainers({ all: true, filters: { label } });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value, or fails after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

/**
 * Idle warm containers of a node whose runner printed READY and that have their CPU quota (the pool then
 * offers them), from Docker. A container taken by a run
 * keeps its `warm` label but is renamed after its run (`nba-<node>-<run>`), so it is not counted.
 */
export async function readyWarmContainers(nodeName: string): Promise<Docker.ContainerInfo[]> {
  const ready: Docker.ContainerInfo[] = [];
  for (const c of await containersOf(nodeName, 'warm')) {
    if (c.State !== 'running' || c.Names.some((n) => n.startsWith('/nba-'))) continue;
    const logs = (await docker.getContainer(c.Id).logs({ stdout: true, stderr: false }).catch(() => Buffer.alloc(0))) as unknown as Buffer;
    if (!logs.toString('latin1').includes('NBRUNNER READY')) continue;
    // The pool offers a container once its CPU quota is applied, right after READY.
    const info = await docker.getContainer(c.Id).inspect().catch(() => null);
    if (info && (info.HostConfig.NanoCpus ?? 0) > 0) ready.push(c);
  }
  return ready;
}

/** Whether Docker still has a container with this id. */
export async function containerExists(id: string): Promise<boolean> {
  try {
    await docker.getContainer(id).inspect();
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return false;
    throw e;
  }
}

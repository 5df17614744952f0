import { INestApplicationContext } from '@nestjs/common';
import { ApiHarness } from './api-harness';
import { startWorker } from './worker-harness';

/** The api in this process, a worker node beside it and an administrator's token: how most execution tests begin. */
export async function startApiAndWorker(env: Record<string, string | undefined> = {}): Promise<{ h: ApiHarness; worker: INestApplicationContext; admin: string }> {
  const h = await ApiHarness.start(env);
  const worker = await startWorker(h.config);
  return { h, worker, admin: await h.token() };
}

/** The worker first (it holds runs), then the api; either may be missing when start-up failed. */
export async function stopApiAndWorker(h: ApiHarness | undefined, worker: INestApplicationContext | undefined): Promise<void> {
  await worker?.close();
  await h?.stop();
}

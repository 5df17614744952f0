import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { JOBS, QUEUES, RedisConnections, RunJob } from '@app/queues';

/** The producer side of the run queue. The job id is the run id, so enqueueing twice is harmless. */
@Injectable()
export class RunQueue implements OnApplicationShutdown {
  readonly queue: Queue<RunJob>;

  constructor(redis: RedisConnections) {
    this.queue = new Queue<RunJob>(QUEUES.runs, {
      connection: redis.main,
      prefix: redis.prefix,
      defaultJobOptions: {
        // A job fails only when the run could not be started (Docker down, ...): keep retrying, the run is never lost.
        attempts: 1_000_000,
        backoff: { type: 'fixed', delay: 2000 },
        removeOnComplete: true,
        removeOnFail: 1000,
      },
    });
  }

  /** `delayMs`: the run waits that long in the queue (a task's retry back-off). */
  async enqueue(runId: string, delayMs = 0): Promise<void> {
    await this.queue.add(JOBS.executeRun, { runId }, { jobId: runId, ...(delayMs > 0 ? { delay: delayMs } : {}) });
  }

  /** Many runs in one round trip to Redis (a scheduler tick). */
  async enqueueMany(runIds: string[]): Promise<void> {
    if (runIds.length) await this.queue.addBulk(runIds.map((runId) => ({ name: JOBS.executeRun, data: { runId }, opts: { jobId: runId } })));
  }

  /** Ids of the next `n` runs waiting on the queue (any node may take them), in the order workers take them. */
  async waiting(n: number): Promise<string[]> {
    if (n <= 0) return [];
    return (await this.queue.getRanges(['waiting'], 0, n - 1, true)).filter((id): id is string => !!id);
  }

  /** Drops a queued job; false if it is already running or gone. */
  async drop(runId: string): Promise<boolean> {
    const job = await this.queue.getJob(runId);
    if (!job) return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false; // locked by a worker: it is running
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { RedisConnections } from '@app/queues';

/**
 * Tells every process's scheduler (Redis pub/sub) that a task changed and may fire at a given time, so a scheduler
 * sleeping until its next known fire wakes earlier. Best effort: a lost message is caught by the scheduler's safety poll.
 */
@Injectable()
export class TaskWakeups {
  private readonly log = new Logger('TaskWakeups');

  constructor(private readonly redis: RedisConnections) {}

  private get channel(): string {
    return `${this.redis.prefix}:tasks:next-fire`;
  }

  /** After the change is committed. Not awaited by callers' requests: with Redis down a publish waits for it to return. */
  announce(nextFireAt: Date | null | undefined): void {
    if (!nextFireAt) return;
    this.redis.main.publish(this.channel, String(nextFireAt.getTime())).catch((e) => this.log.warn(`wake-up not sent: ${(e as Error).message}`));
  }

  /** Calls `listener` with the announced fire time (epoch ms) of every change, in any process. */
  listen(listener: (atMs: number) => void): Promise<void> {
    return this.redis.subscribe(this.channel, (m) => {
      const at = Number(m);
      if (Number.isFinite(at)) listener(at);
    });
  }
}

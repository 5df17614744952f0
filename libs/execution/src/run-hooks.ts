import { Injectable, Logger } from '@nestjs/common';
import type { RunEntity } from '@app/db';

export type RunFinishedListener = (run: RunEntity) => Promise<void>;

/** Lets tasks and webhooks hear of finished runs (failure counts, history pruning) without execution knowing them. */
@Injectable()
export class RunHooks {
  private readonly log = new Logger('RunHooks');
  private readonly listeners: RunFinishedListener[] = [];

  onFinished(listener: RunFinishedListener): void {
    this.listeners.push(listener);
  }

  async finished(run: RunEntity): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(run);
      } catch (e) {
        this.log.error(`run ${run.id}: finished-listener failed: ${(e as Error).stack}`);
      }
    }
  }
}

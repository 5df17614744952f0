import { Injectable } from '@nestjs/common';
import { Batcher } from '../batcher';
import { AttemptOutcome, WebhooksRepository } from '../webhooks.repository';

/**
 * Writes attempts' outcomes to their deliveries, many in one statement (up to 500, 2 statements in flight): one
 * attempt alone is written at once; a burst of sends costs a few statements instead of one each (the worker's
 * Postgres round trips were its limit).
 */
@Injectable()
export class AttemptOutcomes {
  private readonly batcher: Batcher<AttemptOutcome, boolean>;

  constructor(repo: WebhooksRepository) {
    this.batcher = new Batcher(
      async (outcomes) => {
        const updated = await repo.finishAttempts(outcomes);
        return outcomes.map((o) => updated.has(o.id));
      },
      500,
      2,
    );
  }

  /** Answers whether the delivery was still at that attempt (and so was updated). */
  record(outcome: AttemptOutcome): Promise<boolean> {
    return this.batcher.add(outcome);
  }
}

import { Injectable } from '@nestjs/common';
import { AttemptOutcome, WebhooksRepository } from '../webhooks.repository';

/** Outcomes written in one statement, and statements in flight at once. */
const MAX_BATCH = 500;
const MAX_WRITES_IN_FLIGHT = 2;

interface Waiting {
  outcome: AttemptOutcome;
  resolve(updated: boolean): void;
  reject(e: unknown): void;
}

/**
 * Writes attempts' outcomes to their deliveries, many in one statement: while writes are in flight, new
 * outcomes wait, and the next write takes all that waited. One attempt alone is written at once; a burst of
 * sends costs a few statements instead of one each (the worker's Postgres round trips were its limit).
 */
@Injectable()
export class AttemptOutcomes {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly repo: WebhooksRepository) {}

  /** Answers whether the delivery was still at that attempt (and so was updated). */
  record(outcome: AttemptOutcome): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ outcome, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_WRITES_IN_FLIGHT && this.waiting.length) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      this.inFlight++;
      this.repo
        .finishAttempts(batch.map((b) => b.outcome))
        .then(
          (updated) => batch.forEach((b) => b.resolve(updated.has(b.outcome.id))),
          (e) => batch.forEach((b) => b.reject(e)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

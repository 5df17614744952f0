/**
 * Gathers work handed in one item at a time into batches: while `maxInFlight` batches are being handled, new
 * items wait, and the next batch takes all that waited (up to `maxBatch`). One item alone goes at once; under a
 * burst, many share one round trip. Each caller gets its own item's result (or the batch's error).
 */
export class Batcher<T, R> {
  private readonly waiting: Array<{ item: T; resolve(r: R): void; reject(e: unknown): void }> = [];
  private inFlight = 0;

  constructor(
    private readonly handle: (items: T[]) => Promise<R[]>,
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight++;
      this.handle(batch.map((b) => b.item))
        .then(
          (results) => batch.forEach((b, i) => b.resolve(results[i])),
          (e) => batch.forEach((b) => b.reject(e)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

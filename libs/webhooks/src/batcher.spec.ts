import { Batcher } from './batcher';

/** A handler whose batches the test finishes by hand. */
function controlled() {
  const batches: Array<{ items: number[]; finish(): void; fail(e: Error): void }> = [];
  const handle = (items: number[]) =>
    new Promise<number[]>((resolve, reject) => batches.push({ items, finish: () => resolve(items.map((i) => i * 10)), fail: reject }));
  return { batches, handle };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Batcher', () => {
  it('sends one item at once, gathers what comes meanwhile into the next batch, and answers each caller its own result', async () => {
    const { batches, handle } = controlled();
    const b = new Batcher(handle, 100, 1);
    const first = b.add(1);
    expect(batches.map((x) => x.items)).toEqual([[1]]);
    const rest = [b.add(2), b.add(3), b.add(4)];
    expect(batches).toHaveLength(1);
    batches[0].finish();
    expect(await first).toBe(10);
    await tick();
    expect(batches.map((x) => x.items)).toEqual([[1], [2, 3, 4]]);
    batches[1].finish();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
  });

  it('keeps to maxInFlight and maxBatch', async () => {
    const { batches, handle } = controlled();
    const b = new Batcher(handle, 2, 2);
    const all = [1, 2, 3, 4, 5, 6].map((i) => b.add(i));
    expect(batches.map((x) => x.items)).toEqual([[1], [2]]);
    batches[0].finish();
    await tick();
    expect(batches.map((x) => x.items)).toEqual([[1], [2], [3, 4]]);
    batches[1].finish();
    await tick();
    expect(batches.map((x) => x.items)).toEqual([[1], [2], [3, 4], [5, 6]]);
    batches[2].finish();
    batches[3].finish();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it("rejects a failed batch's callers only; the next batch still runs", async () => {
    const { batches, handle } = controlled();
    const b = new Batcher(handle, 10, 1);
    const failed = b.add(1);
    const later = b.add(2);
    batches[0].fail(new Error('db down'));
    await expect(failed).rejects.toThrow('db down');
    await tick();
    batches[1].finish();
    expect(await later).toBe(20);
  });
});

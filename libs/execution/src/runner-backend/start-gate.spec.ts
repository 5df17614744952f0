import { StartGate } from './start-gate';

describe('StartGate', () => {
  const flush = () => new Promise((r) => setImmediate(r));

  it('admits `size` at once, the rest in order as places are given back', async () => {
    const gate = new StartGate(2, 10_000);
    const order: string[] = [];
    const a = await gate.enter();
    const b = await gate.enter();
    const c = gate.enter().then((leave) => (order.push('c'), leave));
    const d = gate.enter().then((leave) => (order.push('d'), leave));
    await flush();
    expect(order).toEqual([]);
    a();
    a(); // twice: harmless, admits no one else
    await flush();
    expect(order).toEqual(['c']);
    b();
    await flush();
    expect(order).toEqual(['c', 'd']);
    (await c)();
    (await d)();
    // All places free again: two enter at once.
    await Promise.all([gate.enter(), gate.enter()]);
  });

  it('gives a place back by itself after holdMs (a start-up that hangs)', async () => {
    jest.useFakeTimers();
    try {
      const gate = new StartGate(1, 1000);
      await gate.enter(); // never left
      let admitted = false;
      const next = gate.enter().then(() => (admitted = true));
      jest.advanceTimersByTime(999);
      await Promise.resolve();
      expect(admitted).toBe(false);
      jest.advanceTimersByTime(1);
      await next;
      expect(admitted).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('an aborted wait leaves the queue; size 0 admits everyone', async () => {
    const gate = new StartGate(1, 10_000);
    const first = await gate.enter();
    const ac = new AbortController();
    const waiting = gate.enter(ac.signal);
    ac.abort(new Error('evicted'));
    await expect(waiting).rejects.toThrow('evicted');
    let admitted = false;
    const next = gate.enter().then(() => (admitted = true));
    first();
    await next;
    expect(admitted).toBe(true);
    const open = new StartGate(0, 10_000);
    await Promise.all(Array.from({ length: 5 }, () => open.enter()));
  });
});

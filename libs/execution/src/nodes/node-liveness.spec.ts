import { NodeLiveness } from './node-liveness';

describe('NodeLiveness', () => {
  const l = new NodeLiveness(5);
  const now = 1_000_000;

  it('a node is up until it missed 3 beats', () => {
    expect(l.isUp(now - 14_999, now)).toBe(true);
    expect(l.isUp(now - 15_000, now)).toBe(false);
  });

  it('a node is dead after 6 silent beats', () => {
    expect(l.deadBefore(now).getTime()).toBe(now - 30_000);
  });

  it('a name that beat within 2 beats may still be alive; the starting worker waits 1.5 beats to see', () => {
    expect(l.mayBeAlive(now - 10_000, now)).toBe(true);
    expect(l.mayBeAlive(now - 10_001, now)).toBe(false);
    expect(l.duplicateWaitMs).toBe(7_500);
  });
});

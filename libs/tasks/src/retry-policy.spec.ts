import { retryDelaySeconds, shouldRetry } from './retry-policy';

describe('retry policy', () => {
  it('doubles the delay per attempt up to the cap', () => {
    expect([1, 2, 3, 4].map((a) => retryDelaySeconds(10, a, 3600))).toEqual([10, 20, 40, 80]);
    expect(retryDelaySeconds(600, 5, 3600)).toBe(3600);
    expect(retryDelaySeconds(0, 3, 3600)).toBe(0);
  });

  it('retries within maxRetries, never a cancelled run, and not once the task was paused (unless run by hand)', () => {
    const base = { attempt: 1, maxRetries: 2, cancelled: false, taskActive: true, manual: false };
    expect(shouldRetry(base)).toBe(true);
    expect(shouldRetry({ ...base, attempt: 2 })).toBe(true);
    expect(shouldRetry({ ...base, attempt: 3 })).toBe(false);
    expect(shouldRetry({ ...base, maxRetries: 0 })).toBe(false);
    expect(shouldRetry({ ...base, cancelled: true })).toBe(false);
    expect(shouldRetry({ ...base, taskActive: false })).toBe(false);
    expect(shouldRetry({ ...base, taskActive: false, manual: true })).toBe(true);
  });
});

import { act, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useData } from './use-data';

function Probe({ fn, pollMs }: { fn: () => Promise<number>; pollMs?: number }) {
  const d = useData(fn, [], pollMs);
  return <p>{`${d.data ?? 'loading'}${d.error ? ` (error: ${d.error.message})` : ''}`}</p>;
}

describe('useData', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('polls no faster than every 2 seconds, whatever is asked', async () => {
    let n = 0;
    const fn = vi.fn(async () => ++n);
    render(<Probe fn={fn} pollMs={100} />);
    await act(async () => undefined);
    expect(fn).toHaveBeenCalledTimes(1);
    await act(async () => vi.advanceTimersByTimeAsync(1900));
    expect(fn).toHaveBeenCalledTimes(1);
    await act(async () => vi.advanceTimersByTimeAsync(200));
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('keeps the last data when a poll fails, and shows the error until the next success', async () => {
    let fail = false;
    const fn = vi.fn(async () => {
      if (fail) throw new Error('down');
      return 7;
    });
    const { container } = render(<Probe fn={fn} pollMs={2000} />);
    await act(async () => undefined);
    expect(container.textContent).toBe('7');
    fail = true;
    await act(async () => vi.advanceTimersByTimeAsync(2000));
    expect(container.textContent).toBe('7 (error: down)');
    fail = false;
    await act(async () => vi.advanceTimersByTimeAsync(2000));
    expect(container.textContent).toBe('7');
  });
});

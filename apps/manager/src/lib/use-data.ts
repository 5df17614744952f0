import { DependencyList, useCallback, useEffect, useRef, useState } from 'react';

/** Lists refresh themselves no faster than this (the floor for live updates by polling). */
export const MIN_POLL_MS = 2000;

export interface Loaded<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Loads `fn` now and when `deps` change; with `pollMs`, again every `pollMs` (at least 2 s) while the tab is
 * visible. A poll that fails keeps the last data and shows the error; the next success clears it.
 */
export function useData<T>(fn: () => Promise<T>, deps: DependencyList, pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const mine = generation.current;
    try {
      const v = await fnRef.current();
      if (mine !== generation.current) return;
      setData(v);
      setError(null);
    } catch (e) {
      if (mine === generation.current) setError(e as Error);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    generation.current++;
    setLoading(true);
    void reload();
    if (!pollMs) return;
    const every = Math.max(MIN_POLL_MS, pollMs);
    let timer: ReturnType<typeof setTimeout>;
    let stopped = false;
    const tick = async () => {
      if (!document.hidden) await reload();
      if (!stopped) timer = setTimeout(tick, every);
    };
    timer = setTimeout(tick, every);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, deps);

  return { data, error, loading, reload };
}

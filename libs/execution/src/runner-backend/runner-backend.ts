import type { RunnerMessageListener } from './runner-protocol';

/** What a runner gets: the notebook text and the run spec (runner/README.md). */
export interface RunInput {
  notebook: string;
  spec: Record<string, unknown>;
}

export type KillReason = 'timeout' | 'cancelled' | 'shutdown';

export interface RunOutput {
  exitCode: number | null;
  /** Killed by us: past the hard deadline, cancelled, or the worker shutting down. */
  killed: KillReason | null;
  files: Map<string, Buffer>;
  logs: string;
}

/** What the runner prints on its OUTPUT line (stdin mode; runner/README.md). */
export interface RunnerOutput {
  result: unknown;
  notebook: string | null;
  snapshot: string | null;
}

export interface AcquireOptions {
  /** The run it is for; null for a warm container that a run takes later (see `RunnerSession.assign`). */
  runId: string | null;
  /** Give up (and remove what was made) when READY has not come by then; without it, wait for READY or the end. */
  readyTimeoutMs?: number;
  /** Aborting removes what was made and rejects. */
  signal?: AbortSignal;
}

/** A runner left on this node by an earlier process (found when reconciling the node). */
export interface LeftoverRunner {
  id: string;
  name: string;
  runId: string | null;
  role: string;
}

/** Raised when the runner backend (the Docker engine) cannot be reached: the run is retried, not failed. */
export class RunnerUnavailableError extends Error {}

/**
 * One runner for one run: started, its kernel up (READY) unless it ended first. Send the input, listen to its
 * messages, collect the outcome, dispose of it. Never reused.
 */
export interface RunnerSession {
  /** The backend's id (a container id), for logs and the run's result. */
  readonly id: string;
  /** The runner's stream has ended (it exited, or its container is gone). */
  readonly closed: boolean;
  /** The OUTPUT line, once printed. */
  readonly output: RunnerOutput | null;
  /** Resolves when the runner printed DONE, or when its stream ended. */
  readonly ended: Promise<void>;
  /** A warm runner taken by a run: named after it, for operators. */
  assign(runId: string): void;
  /** The input line on stdin. */
  send(input: RunInput): Promise<void>;
  /** Any other line for the runner's stdin (one JSON value, e.g. a relay reply). */
  sendLine(value: unknown): Promise<void>;
  /** Subscribes to one kind of protocol line (PROGRESS, RELAY, ...); returns the unsubscribe function. */
  on(kind: string, listener: RunnerMessageListener): () => void;
  /**
   * Waits for the outcome, killing the runner at `deadlineMs` from now or when `signal` aborts (its reason,
   * 'shutdown' or anything else for a cancel, is the kill reason). Resolves as soon as DONE is printed.
   */
  collect(deadlineMs: number, signal: AbortSignal): Promise<RunOutput>;
  /** Drops the connection and removes the runner; safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * Where runners run. The only way the rest of the worker reaches Docker (docker/); a Kubernetes backend
 * would be another implementation of this.
 */
export abstract class RunnerBackend {
  /** Whether the backend answers. */
  abstract ping(): Promise<boolean>;
  /** Whether the runtime's image is present (nothing is pulled: images are built on the node). */
  abstract hasImage(runtime: string): Promise<boolean>;
  /** Creates and starts a runner with the site's limits; see AcquireOptions. */
  abstract acquire(runtime: string, opts: AcquireOptions): Promise<RunnerSession>;
  /** Removes every runner of this node (call it when none of them can still be in use) and says which they were. */
  abstract reconcileNode(): Promise<LeftoverRunner[]>;
}

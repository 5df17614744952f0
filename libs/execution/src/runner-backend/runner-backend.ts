import type { RuntimeEntity } from '@app/db';
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
  /** Why, when the backend stopped the runner without us asking (an engine restart): then its outcome is not the notebook's. */
  interrupted?: string;
  /** A process of the runner (usually the kernel) was killed for reaching the memory limit. */
  oomKilled?: boolean;
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
  /** The output files the runner kept (`/work/output/files`, after DONE), by relative path. */
  outputFiles(): Promise<Map<string, Buffer>>;
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
  /** Whether an image is present (nothing is pulled: images are built on the node). */
  abstract hasImage(image: string): Promise<boolean>;
  /** The images present: each reference (tag, and the id itself) → the image id. */
  abstract images(): Promise<Record<string, string>>;
  /** The libraries in an image (`python3 -m nbrunner.manifest`, run in a throw-away runner without network). */
  abstract readManifest(image: string): Promise<unknown>;
  /** Creates and starts a runner of a runtime, with the runtime's image, limits and network; see AcquireOptions. */
  abstract acquire(runtime: RuntimeEntity, opts: AcquireOptions): Promise<RunnerSession>;
  /**
   * Removes this node's runners except those `keep` names (the ones still in use) and says which it removed.
   * `stoppedOnly`: only runners that are no longer running (a running one may be being acquired right now).
   */
  abstract reconcileNode(opts?: { keep?: (id: string) => boolean; stoppedOnly?: boolean }): Promise<LeftoverRunner[]>;
}

/** One snapshot rendered by the exporter: the HTML (UTF-8), and `note` when it fell back to the plain snapshot. */
export interface RenderedSnapshot {
  html: Buffer;
  note?: string;
}

/**
 * The long-lived HTML exporter beside the worker (`python3 -m nbrunner.exporter`, runner/README.md): why, a run
 * container that renders its own snapshot spends ~300 ms of CPU importing and warming nbconvert; this one is warm.
 * One per worker process, started at worker start, restarted when it dies, never counted as a run container.
 */
export abstract class HtmlExporter {
  /** Whether it is READY now: a run sends `snapshot: "none"` only then (else its runner renders). */
  abstract get up(): boolean;
  /** Starts it (and keeps it restarted when it dies) until `stop`; resolves once it is READY or could not start. */
  abstract start(): Promise<void>;
  /**
   * The snapshot of an executed notebook (ipynb text). Rejects when the exporter is down, answers an error, or not
   * within `timeoutMs` (then it is restarted: requests are answered one at a time).
   */
  abstract render(notebook: string, timeoutMs: number): Promise<RenderedSnapshot>;
  /** Stops and removes it. */
  abstract stop(): Promise<void>;
}

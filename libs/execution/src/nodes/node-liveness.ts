/**
 * When a worker node counts as up, down or dead, from its heartbeats (every HEARTBEAT_SECONDS). The one place
 * these rules live: the machines API, housekeeping and a starting worker all ask here.
 */
export const NODE_LIVENESS = {
  /** Silent this many beats: reported down (healthcheck false). */
  downAfterBeats: 3,
  /** Silent this many beats: its runs in progress are failed by housekeeping. */
  deadAfterBeats: 6,
  /** A worker starting with a name that beat within this many beats waits to see whether it still beats. */
  duplicateWithinBeats: 2,
  /** ... for this many beats. */
  duplicateWaitBeats: 1.5,
};

export class NodeLiveness {
  constructor(private readonly heartbeatSeconds: number) {}

  private get beatMs(): number {
    return this.heartbeatSeconds * 1000;
  }

  isUp(lastHeartbeatMs: number, nowMs: number): boolean {
    return nowMs - lastHeartbeatMs < NODE_LIVENESS.downAfterBeats * this.beatMs;
  }

  /** Nodes whose last heartbeat is older than this are dead. */
  deadBefore(nowMs: number): Date {
    return new Date(nowMs - NODE_LIVENESS.deadAfterBeats * this.beatMs);
  }

  /** Whether a heartbeat this recent may be another live process with the same name. */
  mayBeAlive(lastHeartbeatMs: number, nowMs: number): boolean {
    return nowMs - lastHeartbeatMs <= NODE_LIVENESS.duplicateWithinBeats * this.beatMs;
  }

  get duplicateWaitMs(): number {
    return NODE_LIVENESS.duplicateWaitBeats * this.beatMs;
  }
}

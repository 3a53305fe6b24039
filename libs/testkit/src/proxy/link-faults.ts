/**
 * What every link of one proxy reads at the moment it moves a chunk, so a change applies to data
 * already in flight as well as to what arrives next.
 */
export interface LinkConditions {
  readonly latencyMs: number;
  readonly blackHole: boolean;
}

/** The network faults of one proxy (the exchanges' own switches are `FaultState`). */
export class LinkFaults implements LinkConditions {
  latencyMs = 0;
  blackHole = false;
  refuseNew = false;

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a finite number >= 0, got ${ms}`);
    this.latencyMs = ms;
  }
}

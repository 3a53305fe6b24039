/**
 * The knobs every link of one proxy reads at the moment it moves a chunk, so a change applies to
 * data already in flight as well as to what arrives next.
 */
export interface FaultConditions {
  readonly latencyMs: number;
  readonly blackHole: boolean;
}

export class FaultState implements FaultConditions {
  latencyMs = 0;
  blackHole = false;
  refuseNew = false;

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a finite number >= 0, got ${ms}`);
    this.latencyMs = ms;
  }
}

/** The fault switches every connection consults; one instance per exchange. */
export interface FaultState {
  blackHole: boolean;
  heartbeatsPaused: boolean;
  ignoreTestAnswers: boolean;
  responseDelayMs: number;
  upgradeRejection: number | null;
}

export function noFaults(): FaultState {
  return { blackHole: false, heartbeatsPaused: false, ignoreTestAnswers: false, responseDelayMs: 0, upgradeRejection: null };
}

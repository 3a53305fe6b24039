/**
 * The fault switches every connection of one test exchange consults, whatever its venue. One
 * instance per exchange; the exchange's `set…` methods flip them and sessions read them at the
 * moment they act, so a switch applies to traffic already under way.
 */
export interface FaultState {
  /** Sockets stay open; nothing is answered or sent: no responses, feeds, heartbeats, pings or pongs. */
  blackHole: boolean;
  /**
   * The server's side of the heartbeat stops: Deribit's `heartbeat`/`test_request`, Bybit's answer
   * to `{"op":"ping"}`, Binance's ping frames.
   */
  heartbeatsPaused: boolean;
  /**
   * The server stops counting the client's heartbeat answers (Deribit `public/test`, Binance pong
   * frames), so it cuts the connection when the next answer is due.
   */
  ignoreHeartbeatAnswers: boolean;
  /** Every auth attempt fails with the venue's invalid-credentials error. */
  rejectAuth: boolean;
  /** Every response is sent this much later (feeds and heartbeats are not delayed). */
  responseDelayMs: number;
  /** Answer WebSocket upgrades with this HTTP status instead of 101; null = accept. */
  upgradeRejection: number | null;
}

export function noFaults(): FaultState {
  return {
    blackHole: false,
    heartbeatsPaused: false,
    ignoreHeartbeatAnswers: false,
    rejectAuth: false,
    responseDelayMs: 0,
    upgradeRejection: null,
  };
}

/** Checks a `setResponseDelay` argument; a bad one is the caller's bug, reported as a RangeError. */
export function checkedDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`setResponseDelay needs ms >= 0 (got ${ms})`);
  return ms;
}

/** Checks a `setUpgradeRejection` argument: a 4xx/5xx status, or null to accept upgrades again. */
export function checkedUpgradeStatus(status: number | null): number | null {
  if (status !== null && (!Number.isInteger(status) || status < 400 || status > 599)) {
    throw new RangeError(`setUpgradeRejection needs a 4xx/5xx status or null (got ${status})`);
  }
  return status;
}

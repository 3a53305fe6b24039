export interface BybitCounters {
  /** WebSocket connections accepted. */
  connections: number;
  /** Upgrades refused with 429 by the connection-attempt limit. */
  connectionsRefused: number;
  /** Well-formed ops received (ping included). */
  ops: number;
  /** `{"op":"ping"}` received. */
  pings: number;
  /** Pongs sent (none while heartbeats are paused or the exchange is a black hole). */
  pongs: number;
  /** Successful `auth` ops. */
  auth: number;
  authFailures: number;
  subscribeCalls: number;
  unsubscribeCalls: number;
  /** Topics added by successful subscribes. */
  subscribedTopics: number;
  /** Subscribe requests refused (unknown topic, limits, missing auth, duplicates…). */
  subscribeFailures: number;
  /** Ops refused by the per-connection rate limit (10006). */
  rateLimited: number;
  /** Frames that were not a readable op (answered with an error, connection kept). */
  malformedIn: number;
  /** Connections the server cut for idleness (no ping, no data) or `max_active_time`. */
  idleCloses: number;
}

export function zeroBybitCounters(): BybitCounters {
  return {
    connections: 0,
    connectionsRefused: 0,
    ops: 0,
    pings: 0,
    pongs: 0,
    auth: 0,
    authFailures: 0,
    subscribeCalls: 0,
    unsubscribeCalls: 0,
    subscribedTopics: 0,
    subscribeFailures: 0,
    rateLimited: 0,
    malformedIn: 0,
    idleCloses: 0,
  };
}

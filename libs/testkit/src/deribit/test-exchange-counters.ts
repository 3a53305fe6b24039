export interface TestExchangeCounters {
  connections: number;
  /** Successful `public/auth` calls, refreshes included. */
  auth: number;
  authFailures: number;
  /** Successful `refresh_token` grants. */
  refresh: number;
  subscribeCalls: number;
  unsubscribeCalls: number;
  /** Channels added by subscribe calls (a re-subscribe of a live channel is not counted). */
  subscribedChannels: number;
  setHeartbeat: number;
  testCalls: number;
  testRequestsSent: number;
  heartbeatCloses: number;
  enableCancelOnDisconnect: number;
  disableCancelOnDisconnect: number;
  /** Well-formed requests (after envelope checks, before rate limiting). */
  requests: number;
  rateLimited: number;
  /** Frames answered with -32700 or -32600. */
  malformedIn: number;
  /** Sockets closed at the end of `connectionLifetimeMs`. */
  lifetimeCloses: number;
  /** Notifications sent by `notifyAll`. */
  noticesSent: number;
}

export function zeroCounters(): TestExchangeCounters {
  return {
    connections: 0,
    auth: 0,
    authFailures: 0,
    refresh: 0,
    subscribeCalls: 0,
    unsubscribeCalls: 0,
    subscribedChannels: 0,
    setHeartbeat: 0,
    testCalls: 0,
    testRequestsSent: 0,
    heartbeatCloses: 0,
    enableCancelOnDisconnect: 0,
    disableCancelOnDisconnect: 0,
    requests: 0,
    rateLimited: 0,
    malformedIn: 0,
    lifetimeCloses: 0,
    noticesSent: 0,
  };
}

/** Zeroes in place so a reference a test holds stays live. */
export function resetCounters(counters: TestExchangeCounters): void {
  Object.assign(counters, zeroCounters());
}

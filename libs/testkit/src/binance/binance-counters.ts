export interface BinanceCounters {
  /** WebSocket connections accepted (market streams and WebSocket API). */
  connections: number;
  /** Upgrades refused with 429 by the connection-attempt limit. */
  connectionsRefused: number;
  /** Messages received on market-stream connections (JSON, ping and pong frames), what the 5/s (10/s) limit counts. */
  messagesIn: number;
  /** The most messages any market-stream connection sent within one second: at most the limit means it was never exceeded. */
  peakMessagesPerSecond: number;
  /** Connections closed for sending more messages per second than allowed. */
  messageRateCloses: number;
  /** SUBSCRIBE messages (streams named in a connection URL are not one). */
  subscribeCalls: number;
  unsubscribeCalls: number;
  /** Streams added by SUBSCRIBE (and by the URL of a connection). */
  subscribedStreams: number;
  /** Stream requests answered with `{"error":…}`. */
  streamRequestErrors: number;
  /** USDⓈ-M streams requested on a path that does not deliver them (they never get data). */
  misroutedStreams: number;
  pingsSent: number;
  /** Pongs that echoed the outstanding ping's payload. */
  pongsReceived: number;
  /** Connections closed because a ping's pong did not come in time. */
  pongTimeouts: number;
  /** Connections closed at the end of their lifetime (24 h). */
  lifetimeCloses: number;
  /** `serverShutdown` events sent. */
  serverShutdownsSent: number;
  /** WebSocket API requests (well-formed). */
  apiRequests: number;
  /** WebSocket API error responses. */
  apiErrors: number;
  /** WebSocket API requests refused for rate (429 / -1003). */
  rateLimited: number;
  logons: number;
  userDataSubscriptions: number;
  eventStreamTerminated: number;
  /** REST depth snapshots served. */
  depthSnapshots: number;
  /** USDⓈ-M listenKeys created (POST on an account without an active key). */
  listenKeysCreated: number;
  /** POSTs answered with the account's active key (extended). */
  listenKeysReturned: number;
  /** Keepalives (PUT) that extended a key. */
  listenKeyKeepAlives: number;
  /** Keys closed by DELETE. */
  listenKeysDeleted: number;
  /** Keys that lapsed or were expired by a fault (their sockets got `listenKeyExpired`). */
  listenKeysExpired: number;
  /** listenKey REST calls refused (no key, unknown or revoked key, -1125). */
  listenKeyErrors: number;
  /** `/private` sockets opened with a live key. */
  privateConnections: number;
  /** REST and WebSocket API requests that arrived during a `banIp` ban (each answered 418). */
  requestsWhileBanned: number;
  /** Frames that were not readable JSON requests. */
  malformedIn: number;
}

export function zeroBinanceCounters(): BinanceCounters {
  return {
    connections: 0,
    connectionsRefused: 0,
    messagesIn: 0,
    peakMessagesPerSecond: 0,
    messageRateCloses: 0,
    subscribeCalls: 0,
    unsubscribeCalls: 0,
    subscribedStreams: 0,
    streamRequestErrors: 0,
    misroutedStreams: 0,
    pingsSent: 0,
    pongsReceived: 0,
    pongTimeouts: 0,
    lifetimeCloses: 0,
    serverShutdownsSent: 0,
    apiRequests: 0,
    apiErrors: 0,
    rateLimited: 0,
    logons: 0,
    userDataSubscriptions: 0,
    eventStreamTerminated: 0,
    depthSnapshots: 0,
    listenKeysCreated: 0,
    listenKeysReturned: 0,
    listenKeyKeepAlives: 0,
    listenKeysDeleted: 0,
    listenKeysExpired: 0,
    listenKeyErrors: 0,
    privateConnections: 0,
    requestsWhileBanned: 0,
    malformedIn: 0,
  };
}

/**
 * Every default (and limit) of the client and supervisor layers and of the venue adapters, in one
 * place: the classes read them from here, and the Nest package's config schema (code and
 * environment alike) shows the same values.
 */

/** The longest delay a Node timer holds (2^31 − 1 ms, about 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

export const CLIENT_DEFAULTS = {
  /** Connection attempts after the first failure before giving up. */
  maxRetries: 10,
  baseDelayMs: 500,
  maxBackoffMs: 30_000,
  /** Bound on TCP + TLS + upgrade of one attempt. */
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  /** Bound on a graceful close handshake before the socket is terminated. */
  closeTimeoutMs: 1_000,
  /** Largest inbound frame accepted, bytes. */
  maxPayload: 16 * 1024 * 1024,
  /** Protocol ping every intervalMs; no inbound frame or pong for timeoutMs → the socket is dead. */
  heartbeat: { intervalMs: 15_000, timeoutMs: 30_000 },
} as const;

/**
 * Bounds on one inbound frame (the client's frame guard). A frame above either is counted as
 * malformed (`too-large`, `too-deep`) and dropped; the connection lives on. `maxBytes` is a soft
 * cap below `maxPayload`, above which `ws` closes the socket instead (PAYLOAD_TOO_LARGE).
 * Venue adapters supply their own sizes (see DERIBIT_DEFAULTS.frameLimits) and share the depth.
 */
export const FRAME_LIMIT_DEFAULTS = {
  /**
   * Nesting of objects and arrays, the frame's own envelope counting as 1. A bound for the stack's
   * sake, not the venue's: recursive consumers (JSON.stringify, deep copies) overflow at thousands
   * of levels, venues send at most 6, and 128 (serde_json's recursion limit) lets the guard prove
   * any frame of up to 256 characters shallow by its length alone (client/frame-guard.ts).
   */
  maxDepth: 128,
  /** Bytes; by default the same as maxPayload, so only the hard bound applies. */
  maxBytes: CLIENT_DEFAULTS.maxPayload,
} as const;

/** A frame guard deeper than this would walk (and recurse) for nothing: no venue nests so deep. */
export const MAX_FRAME_DEPTH_LIMIT = 1_000;

export const SUPERVISOR_DEFAULTS = {
  /** Backoff between rebuilds of a dead session (jittered). */
  rebuild: { baseDelayMs: 500, maxBackoffMs: 30_000 },
  /** Consecutive failed rebuilds that open the circuit, and how long it stays open. */
  circuitBreaker: { failureThreshold: 5, cooldownMs: 60_000 },
  /** No inbound frame for this long on a live session → the sweep rebuilds it. */
  silenceTimeoutMs: 30_000,
  /** Bound on the polite part of close (unsubscribe, cancel-on-disconnect off). */
  closeTimeoutMs: 2_000,
  /** Make-before-break rotation (supervisor/README.md). */
  rotation: {
    /** Planned rotation comes this long before the venue's socket lifetime ends... */
    lifetimeMarginMs: 15 * 60_000,
    /** ...or this share of the lifetime, whichever is smaller (short lifetimes, tests). */
    lifetimeMarginFraction: 0.1,
    /** Channels that have not joined by then switch anyway (and are counted). */
    overlapTimeoutMs: 10_000,
    /** Bound on waiting for the old socket's in-flight requests before closing it. */
    drainTimeoutMs: 10_000,
  },
} as const;

/** The Deribit adapter's defaults (what Deribit itself sends and accepts; see venues/deribit/README.md). */
export const DERIBIT_DEFAULTS = {
  /** Channels per subscribe/unsubscribe call. */
  maxChannelsPerCall: 200,
  /** Back-off for idempotent calls answered with 10028. */
  rateLimitRetry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 2_000 },
  /** Bound on the best-effort calls of beforeClose. */
  closeTimeoutMs: 2_000,
  /**
   * Deribit's largest messages are `public/get_instruments` results of a few MB; its deepest
   * documented one nests about 6 levels (a book change entry inside `params.data.bids`).
   */
  frameLimits: { maxDepth: FRAME_LIMIT_DEFAULTS.maxDepth, maxBytes: 8 * 1024 * 1024 },
  token: {
    /** Share of `expires_in` after which the token is refreshed when no margin is set. */
    refreshAtFraction: 0.7,
    /** A configured margin never refreshes earlier than this share of the token's life. */
    minRefreshFraction: 0.1,
    /** A grant shorter-lived than this is a venue error, not a token to refresh in a loop. */
    minLifetimeSec: 1,
  },
} as const;

/** The Bybit adapter's defaults (Bybit v5 docs; see venues/bybit/README.md for the sources). */
export const BYBIT_DEFAULTS = {
  /**
   * Args per subscribe request. Spot: "up to 10 args for each subscription request". Linear: "no
   * args limit for Futures"; a bound keeps one frame and its ack small. Private: none documented.
   */
  maxArgsPerRequest: { spot: 10, linear: 100, private: 10 },
  /** Subscribe requests awaiting their ack at once during a restore (acks are matched by req_id). */
  maxRequestsInFlight: 4,
  /** "for one public connection, you cannot have length of "args" array over 21,000 characters". */
  maxArgsChars: 21_000,
  /** Public sockets one logical connection may open to stay within maxArgsChars. */
  maxShards: 16,
  /** `{"op":"ping"}` period: "we recommend that you send the ping heartbeat packet every 20 seconds". */
  pingIntervalSec: 20,
  /** How far ahead the auth op's `expires` is set. */
  authValidityMs: 10_000,
  /** Back-off for idempotent ops (auth, subscribe, unsubscribe) answered with a rate limit. */
  backOff: { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 3_000 },
  /**
   * Bybit's largest message is a 1000-level book snapshot, well under 1 MiB; its deepest documented
   * one nests 4 levels (a book level inside `data.b`, a wallet coin inside `data[]`).
   */
  frameLimits: { maxDepth: FRAME_LIMIT_DEFAULTS.maxDepth, maxBytes: 4 * 1024 * 1024 },
} as const;

/** The Binance adapter's defaults (Binance spot and USDⓈ-M docs; see venues/binance/README.md). */
export const BINANCE_DEFAULTS = {
  /**
   * "WebSocket connections have a limit of 5 incoming messages per second" (spot; USDⓈ-M: 10);
   * pings, pongs and JSON control messages all count, and a socket above it is disconnected.
   */
  outboundRate: { spot: { messages: 5, perMs: 1_000 }, futures: { messages: 10, perMs: 1_000 } },
  /** "A single connection can listen to a maximum of 1024 streams." */
  maxStreamsPerSocket: 1_024,
  /** Sockets one logical connection may open to stay within maxStreamsPerSocket. */
  maxShards: 16,
  /** Streams per SUBSCRIBE: the docs set no bound; one keeps a frame (and a refused batch) small. */
  maxStreamsPerRequest: 200,
  /** SUBSCRIBE requests awaiting their answer at once (the rate limiter queues the rest). */
  maxRequestsInFlight: 5,
  /** "A single connection is only valid for 24 hours; expect to be disconnected at the 24 hour mark." */
  maxSocketLifetimeMs: 86_400_000,
  /** Levels asked of the REST depth snapshot (spot takes 1–5000; USDⓈ-M 5, 10, 20, 50, 100, 500, 1000). */
  depthSnapshotLimit: 1_000,
  /** Diff events held per book while its REST snapshot is on its way. */
  maxBufferedEvents: 10_000,
  /** Bound on one REST snapshot request. */
  restTimeoutMs: 10_000,
  /** How long a signed WebSocket API request stays valid (`recvWindow`, ms; the venue's default 5000). */
  recvWindowMs: 5_000,
  /** Back-off for idempotent calls (subscribe, REST snapshot) answered with a rate limit or a 5xx. */
  backOff: { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 },
  /** USDⓈ-M listenKey keepalive (PUT): the key lives 60 minutes; the docs recommend one about every 30. */
  listenKeyKeepAliveMs: 1_800_000,
  /** A 5000-level snapshot is under 1 MiB; Binance's deepest message nests 4 levels (a depth level inside `b` inside `data`). */
  frameLimits: { maxDepth: FRAME_LIMIT_DEFAULTS.maxDepth, maxBytes: 4 * 1024 * 1024 },
} as const;

import type { ExchangeConnectionError } from './errors.js';
import type { FrameLimits } from './frame-guard.js';
import type { OutboundRate } from './outbound-rate-limiter.js';
import type { VenueCodec, VenueMessage } from './venue-codec.js';

/** States of one ExchangeClient. `closed` is terminal. */
export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A random source in [0, 1); injectable so jitter is reproducible in tests. */
export type RandomSource = () => number;

/** Turns an exact backoff delay into the delay actually waited. */
export type JitterStrategy = (delayMs: number) => number;

/** Minimal logger surface; Nest's LoggerService and pino both fit. Messages never carry secrets. */
export interface ClientLogger {
  debug?(message: string, context?: Record<string, unknown>): void;
  log(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface HeartbeatOptions {
  /** How often a protocol ping is sent (ms). */
  intervalMs: number;
  /** No inbound frame or pong for this long → the socket is terminated (HEARTBEAT_TIMEOUT). */
  timeoutMs: number;
}

export interface TlsOptions {
  /** Extra CA(s) to trust (e.g. a self-signed test exchange). Verification stays on. */
  ca?: string | Buffer | Array<string | Buffer>;
}

export interface ExchangeClientOptions {
  url: string;
  /**
   * The URL a connect loop opens, when it must be fetched first (a token in the URL: Binance
   * USDⓈ-M user data's listenKey). Called at the start of every connect loop (the first connect,
   * each reconnect), aborted with the loop (a close, a kill); the loop's attempts then open the URL
   * it resolved to. A rejection ends the loop as a failed connect does (the client ends with the
   * typed error; a supervised connection rebuilds or opens its circuit). Omitted: `url`.
   */
  prepareUrl?: (signal: AbortSignal) => Promise<string>;
  /** Connection name, used in logs only (the `connection` field). */
  name?: string;
  /**
   * Extra structured fields for every line this client logs, after its own `connection`, `cycle`
   * and `layer: 'client'` (so they can override them). A supervised connection passes its own
   * cycle and correlationId here, so both layers' lines of one session share them.
   */
  logContext?: Readonly<Record<string, unknown>>;
  /** When true (default) the client reconnects itself; when false it reports `down` once and stays down. */
  reconnectOnError?: boolean;
  /** Connection attempts after the first failure before giving up (default 10). */
  maxRetries?: number;
  /** Backoff base (default 500 ms) and cap (default 30000 ms). */
  baseDelayMs?: number;
  maxBackoffMs?: number;
  /** Applied to each backoff delay (default: full jitter over Math.random). */
  jitter?: JitterStrategy;
  /** Opening handshake bound (default 10000 ms). */
  connectTimeoutMs?: number;
  /** Protocol heartbeat watchdog; `false` disables it (default { intervalMs: 15000, timeoutMs: 30000 }). */
  heartbeat?: HeartbeatOptions | false;
  /** Default per-request timeout (default 10000 ms). */
  requestTimeoutMs?: number;
  /** Largest inbound frame accepted, bytes (default 16 MiB); above it ws closes the socket (PAYLOAD_TOO_LARGE). */
  maxPayload?: number;
  /**
   * Softer bounds on one frame, checked by the frame guard: nesting depth and a size cap below
   * `maxPayload`. A frame above either is counted as malformed (`too-deep`, `too-large`), logged
   * rate-limited and dropped; the socket lives on. Default `{ maxDepth: 128, maxBytes: maxPayload }`;
   * a supervised connection uses its venue adapter's (Deribit: 128, 8 MiB).
   */
  frameLimits?: FrameLimits;
  tls?: TlsOptions;
  logger?: ClientLogger;
  /**
   * The venue's envelope: how requests are written, which frame answers which request, what is a
   * message for the session, how a venue error is typed. Default: JSON-RPC 2.0 with errors as
   * VENUE_ERROR (`new JsonRpcCodec(mapError)` types them); a supervised connection uses its venue
   * adapter's (`createCodec()`).
   */
  codec?: VenueCodec;
  /**
   * The venue's limit on frames one socket may send (Binance market streams: 5 per second on spot,
   * 10 on futures, pings and pongs included; above it the venue disconnects). Every frame is paced
   * within it: pongs and protocol pings go first, requests wait in FIFO order (their timeout
   * counts the wait; one that times out still queued is never sent). Omitted: no pacing.
   * A supervised connection uses its venue adapter's `outboundRate`.
   */
  outboundRate?: OutboundRate;
  /** Bound on a graceful close handshake before the socket is terminated (default 1000 ms). */
  closeTimeoutMs?: number;
  /**
   * Called with every message instead of the `notification` event (which then never fires), without
   * the cost of an event emit per frame: the path a supervised connection uses. A throw is caught,
   * logged and counted as a listener error, like a listener's.
   */
  onMessage?: (message: VenueMessage, cycle: number) => void;
  /** Clock for `lastInboundAt` and the heartbeat deadline (default Date.now). */
  now?: () => number;
}

/** Counters of one ExchangeClient, cumulative over all its sockets. */
export interface ClientStats {
  state: ClientState;
  /** The current socket's cycle: 1 for the first socket, +1 per reconnect (0 before the first). */
  cycle: number;
  /** Sockets opened after a drop (the first open is not a reconnect). */
  reconnects: number;
  /** Every inbound WebSocket message (text or binary), usable or not; control frames not counted. */
  framesReceived: number;
  notifications: number;
  /** Unusable frames, dropped (see `malformedByReason`). */
  malformedFrames: number;
  malformedByReason: Record<string, number>;
  /** Responses for requests that had already timed out. */
  lateResponses: number;
  requestsSent: number;
  requestTimeouts: number;
  inFlight: number;
  /** ms epoch of the last inbound frame or pong; 0 before the first. */
  lastInboundAt: number;
  /** Heartbeat timeouts (half-open links detected). */
  heartbeatTimeouts: number;
  /** Exceptions thrown by consumer listeners (caught and logged). */
  listenerErrors: number;
  /** Frames that waited for the socket's outgoing limit (`outboundRate`) before they were written. */
  framesDelayed: number;
  /** Frames waiting for the outgoing limit now (0 without one). */
  framesQueued: number;
}

export interface RequestOptions {
  timeoutMs?: number;
}

/** Typed events of ExchangeClient (Node EventEmitter map: event → listener args). */
export interface ExchangeClientEvents {
  /** A socket opened. `cycle` increases with every socket this client opens. */
  open: [info: { cycle: number; attempt: number }];
  /**
   * A message for the session arrived (data, venue heartbeats): the parsed frame itself, as the
   * codec classified it. Answers to requests settle them instead.
   */
  notification: [message: VenueMessage, cycle: number];
  /** The socket was lost. `willReconnect` is true only when this client will reconnect itself. */
  down: [info: { cause: ExchangeConnectionError; cycle: number; willReconnect: boolean }];
  /** A reconnect attempt is scheduled. */
  reconnecting: [info: { attempt: number; delayMs: number; cause: ExchangeConnectionError }];
  /** Terminal: the client will not open another socket. `error` is absent after a user close. */
  closed: [info: { error?: ExchangeConnectionError }];
  /** A frame could not be used (unparsable, unknown id, wrong shape). The connection lives on. */
  malformed: [info: { reason: string; count: number }];
  state: [state: ClientState];
}

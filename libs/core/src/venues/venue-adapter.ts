import type { ExchangeConnectionError } from '../client/errors.js';
import type { FrameLimits } from '../client/frame-guard.js';
import type { OutboundRate } from '../client/outbound-rate-limiter.js';
import type { VenueCodec, VenueMessage } from '../client/venue-codec.js';
import type { VenueRpc } from '../client/venue-rpc.js';

// The request surface a client offers its venue session is defined by the client layer.
export type { VenueRpc } from '../client/venue-rpc.js';

/**
 * Credentials for one account. Never logged, never put in an error. A venue with one way to sign
 * reads only the pair: Bybit takes `clientId` as its API key and `clientSecret` as its API secret
 * (the `auth` op signs with the secret; it never goes on the wire).
 */
export type VenueCredentials =
  | { kind: 'client_credentials'; clientId: string; clientSecret: string }
  | { kind: 'client_signature'; clientId: string; clientSecret: string };

export interface VenueSessionOptions {
  credentials?: VenueCredentials;
  /**
   * Venue heartbeat interval in seconds: Deribit `public/set_heartbeat` (omitted = none); Bybit the
   * client-sent `{"op":"ping"}` (omitted = 20 s, the venue's advice).
   */
  heartbeatIntervalSec?: number;
  /** Enable cancel-on-disconnect after auth on every (re)connect. */
  cancelOnDisconnect?: boolean | { scope: 'connection' | 'account' };
  /** Refresh the token this many seconds before expiry (default 30% of expires_in). */
  refreshBeforeExpirySec?: number;
  /**
   * On a deliberate close, disable cancel-on-disconnect first (`beforeClose`), so orders placed on
   * this connection survive the close. Default false: the close cancels them, the safe side.
   */
  disableCancelOnDisconnectOnClose?: boolean;
}

/** One step of session restore, reported so the supervisor can log and count it. */
export type RestoreStep = 'hello' | 'auth' | 'heartbeat' | 'cancel-on-disconnect';

/** What a notification meant to the adapter. */
export type RoutedNotification =
  | { kind: 'data'; channel: string; data: unknown }
  /** Consumed by the adapter (heartbeat, test_request answered). */
  | { kind: 'handled' }
  /**
   * The venue announced that it will close this socket soon (Binance `serverShutdown`): the
   * supervisor rotates make-before-break, as it does before `maxSocketLifetimeMs`.
   */
  | { kind: 'rotate'; reason: string }
  | { kind: 'unknown' };

/**
 * Sequence facts of one message on an ordered channel: `prev` must equal the previous message's
 * `id` (Deribit book: prev_change_id/change_id; Bybit book delta: u - 1/u).
 */
export interface SequenceInfo {
  id: number;
  /** Absent on the first message (a snapshot). */
  prev?: number;
}

/**
 * What an adapter's `prepareSocket` made for one socket: the URL it opens. An adapter may return
 * its own richer object (Binance: the listenKey lease); the supervisor hands that same object to
 * `createSession` for the session on that socket and never reads more than `url`.
 */
export interface PreparedSocket {
  readonly url: string;
}

/** The per-socket half of an adapter: lives exactly as long as one client. */
export interface VenueSession {
  /** Restore the session on a fresh socket, in order: auth → heartbeat → cancel-on-disconnect. */
  restore(onStep?: (step: RestoreStep) => void): Promise<void>;
  /** Subscribe in as few calls as the venue allows, public and private split. Returns channels now subscribed. */
  subscribe(channels: readonly string[]): Promise<string[]>;
  unsubscribe(channels: readonly string[]): Promise<string[]>;
  /**
   * Classify a message (the parsed frame, as the codec passed it on; never copied): channel data,
   * or handled by the session itself (Deribit test_request → public/test). This runs for every
   * frame: a session may return the same object each time (read it before routing another).
   */
  route(message: VenueMessage): RoutedNotification;
  /** Best-effort clean-up before a deliberate close (e.g. disable cancel-on-disconnect when configured). */
  beforeClose?(): Promise<void>;
  /** Stop timers (token refresh). Called when its client dies or is closed. */
  dispose(): void;
}

/**
 * What one socket of a venue may carry, as the venue adapter declares it (Bybit: the JSON length
 * of a public connection's `args`, at most 21,000; Binance: 1024 streams). Venue-neutral: the
 * supervisor's shard allocator only adds costs.
 */
export interface ShardBudget {
  /** What one channel adds to a socket's load. */
  cost(channel: string): number;
  /** The most one socket may carry: `base + Σ cost ≤ limit`. */
  limit: number;
  /** Load of a socket before any channel (default 0). */
  base?: number;
  /** Sockets at most; a channel that finds no room on any is refused (default 64). */
  maxShards?: number;
}

/** Venue-specific knowledge; add Binance or Bybit by implementing this, without touching client or supervisor. */
export interface VenueAdapter {
  readonly venue: string;
  /**
   * What the venue can really send: frames nested deeper or larger than this are dropped as
   * malformed by every client built for it (explicit client `frameLimits` override them).
   */
  readonly frameLimits?: FrameLimits;
  /**
   * Build the per-socket session on a fresh client. `onFatal` reports a failure that must kill the
   * session (e.g. refresh failed). `prepared` is what `prepareSocket` made for this socket (when
   * the adapter has one).
   */
  createSession(
    rpc: VenueRpc,
    options: VenueSessionOptions,
    onFatal: (error: ExchangeConnectionError) => void,
    prepared?: PreparedSocket,
  ): VenueSession;
  /**
   * Work a socket needs before it opens, when the venue puts a fetched token in the URL (Binance
   * USDⓈ-M user data: a listenKey from REST). Called before every socket — the first connect,
   * every rebuild, every rotation — with the URL `socketUrl` made, and aborted with that socket's
   * connect; the socket opens the URL it resolves to. A rejection fails that build as a failed
   * connect does (typed: a fatal error opens the circuit). Omitted: sockets open `socketUrl`'s URL.
   */
  prepareSocket?(url: string, options: VenueSessionOptions, signal: AbortSignal): Promise<PreparedSocket>;
  /** Private channels need an authenticated session. */
  isPrivateChannel(channel: string): boolean;
  /** Sequence info for ordered channels, or undefined when the channel carries none. */
  sequenceOf(channel: string, data: unknown): SequenceInfo | undefined;
  /**
   * Whether `sequenceOf` applies to a channel (a book: snapshot, then deltas). An observer that
   * joins such a channel while it is live gets nothing until the next snapshot, which the
   * supervisor asks for by resubscribing the channel. Omitted: no channel is sequenced.
   */
  isSequencedChannel?(channel: string): boolean;
  // (Per frame, like `route`: the result may be one object reused by the next call.)
  /**
   * The venue's envelope for one new client (one per client: a codec may keep per-client state):
   * request encoding, answer matching, messages, and venue errors typed (invalid credentials →
   * INVALID_CREDENTIALS, ...).
   */
  createCodec(): VenueCodec;
  /** True when an error means retrying cannot help (bad credentials): opens the circuit at once. */
  isFatal(error: ExchangeConnectionError): boolean;
  /**
   * Checks a connection's session options once, at construction (INVALID_CONFIG naming the field),
   * so a mistake fails at startup instead of in every background rebuild.
   */
  validateSessionOptions?(options: VenueSessionOptions): void;
  /**
   * The venue's limit on frames one socket may send, when it enforces one (Binance market streams:
   * 5 per second on spot, 10 on futures, pings and pongs counted; above it the socket is cut).
   * Every client built for this venue paces its frames within it (heartbeat replies first, requests
   * FIFO). Omitted: no pacing (Deribit and Bybit rate-limit requests with an error instead).
   */
  readonly outboundRate?: OutboundRate;
  /** The URL each socket opens, from the configured one (Bybit private: `max_active_time`). */
  socketUrl?(url: string): string;
  /**
   * What one socket may carry, when the venue caps it (Bybit public: 21,000 characters of args).
   * A `ShardedConnection` spreads channels over sockets within it.
   */
  readonly shardBudget?: ShardBudget;
  /**
   * How long the venue lets one socket live (Binance: 24 h). The supervisor rotates each socket
   * make-before-break some margin before it (a new socket, fully restored, takes over; then the
   * old one closes), so the venue's cut never reaches consumers. Omitted: no planned end.
   */
  readonly maxSocketLifetimeMs?: number;
  /**
   * A per-channel order key of one message (Binance book `u`, trade `t`; Deribit book `change_id`),
   * increasing along the channel. During a rotation both sockets deliver the same channel for a
   * while: the key tells where the new socket's stream joins the old one, so consumers see every
   * message once. Undefined for a message without one.
   */
  overlapKey?(channel: string, data: unknown): number | undefined;
}

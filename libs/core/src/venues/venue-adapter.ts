import type { JsonRpcNotification } from '../client/client-types.js';
import type { ExchangeConnectionError } from '../client/errors.js';
import type { FrameLimits } from '../client/frame-guard.js';
import type { VenueRpc } from '../client/venue-rpc.js';

// The request surface a client offers its venue session is defined by the client layer.
export type { VenueRpc } from '../client/venue-rpc.js';

/** Credentials for one account. Never logged, never put in an error. */
export type VenueCredentials =
  | { kind: 'client_credentials'; clientId: string; clientSecret: string }
  | { kind: 'client_signature'; clientId: string; clientSecret: string };

export interface VenueSessionOptions {
  credentials?: VenueCredentials;
  /** Venue heartbeat interval in seconds (Deribit `public/set_heartbeat`); omitted = none. */
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
  | { kind: 'unknown' };

/** Sequence facts of one message on an ordered channel (Deribit book: change_id/prev_change_id). */
export interface SequenceInfo {
  id: number;
  /** Absent on the first message (a snapshot). */
  prev?: number;
}

/** The per-socket half of an adapter: lives exactly as long as one client. */
export interface VenueSession {
  /** Restore the session on a fresh socket, in order: auth → heartbeat → cancel-on-disconnect. */
  restore(onStep?: (step: RestoreStep) => void): Promise<void>;
  /** Subscribe in as few calls as the venue allows, public and private split. Returns channels now subscribed. */
  subscribe(channels: readonly string[]): Promise<string[]>;
  unsubscribe(channels: readonly string[]): Promise<string[]>;
  /** Classify a notification; answers venue heartbeats (Deribit test_request → public/test) itself. */
  route(notification: JsonRpcNotification): RoutedNotification;
  /** Best-effort clean-up before a deliberate close (e.g. disable cancel-on-disconnect when configured). */
  beforeClose?(): Promise<void>;
  /** Stop timers (token refresh). Called when its client dies or is closed. */
  dispose(): void;
}

/** Venue-specific knowledge; add Binance or Bybit by implementing this, without touching client or supervisor. */
export interface VenueAdapter {
  readonly venue: string;
  /**
   * What the venue can really send: frames nested deeper or larger than this are dropped as
   * malformed by every client built for it (explicit client `frameLimits` override them).
   */
  readonly frameLimits?: FrameLimits;
  /** Build the per-socket session on a fresh client. `onFatal` reports a failure that must kill the session (e.g. refresh failed). */
  createSession(rpc: VenueRpc, options: VenueSessionOptions, onFatal: (error: ExchangeConnectionError) => void): VenueSession;
  /** Private channels need an authenticated session. */
  isPrivateChannel(channel: string): boolean;
  /** Sequence info for ordered channels, or undefined when the channel carries none. */
  sequenceOf(channel: string, data: unknown): SequenceInfo | undefined;
  /** Map a JSON-RPC error to a typed error (invalid credentials → INVALID_CREDENTIALS, ...). */
  mapError(venueCode: number, message: string, method: string): ExchangeConnectionError;
  /** True when an error means retrying cannot help (bad credentials): opens the circuit at once. */
  isFatal(error: ExchangeConnectionError): boolean;
}

/**
 * One error type for the whole library. `code` is what callers branch on; the message is for humans
 * and never carries a secret or a raw frame (frames can hold credentials).
 */
export type ExchangeConnectionErrorCode =
  /** A socket could not be opened (refused, reset, DNS, handshake timeout). Retryable. */
  | 'CONNECT_FAILED'
  /** The upgrade was answered with a non-101 HTTP status (see `httpStatus`). 4xx is not retryable. */
  | 'UPGRADE_REJECTED'
  /** The peer's certificate is not trusted. Not retryable: retrying cannot fix trust. */
  | 'TLS_UNTRUSTED'
  /** Retries ran out (see `attempts`, and `cause` for the last failure). */
  | 'MAX_RETRIES_EXCEEDED'
  /** The socket closed or errored while open (see `closeCode`). */
  | 'SOCKET_CLOSED'
  /** No inbound frame or pong within the heartbeat bound: the link is presumed half-open. */
  | 'HEARTBEAT_TIMEOUT'
  /** A request was in flight when its socket died. Never replayed. */
  | 'DISCONNECTED'
  /** A request got no response within its timeout. */
  | 'REQUEST_TIMEOUT'
  /** A request was made while no socket is open. */
  | 'NOT_CONNECTED'
  /**
   * Coordinated replicas (@exchange-connection/nats): no replica owns the connection, or this one
   * stopped owning it (its lease lapsed). Nothing was sent to the venue.
   */
  | 'NOT_OWNER'
  /** The user closed the client or connection. */
  | 'CLOSED_BY_USER'
  /** A JSON-RPC error response from the venue not mapped to anything more specific (`venueCode`). */
  | 'VENUE_ERROR'
  /** The venue rejected the credentials (Deribit 13004). Fatal: retrying can lock the account. */
  | 'INVALID_CREDENTIALS'
  /** A private call without a valid session (Deribit 13009). */
  | 'UNAUTHORIZED'
  /** The venue's rate limit (Deribit 10028). Back off. */
  | 'RATE_LIMITED'
  /** A frame larger than `maxPayload`. */
  | 'PAYLOAD_TOO_LARGE'
  /** An unexpected exception inside the client (a handler bug): the client is treated as dead. */
  | 'CLIENT_FAULT'
  /** Bad configuration; the message names the offending setting or variable. */
  | 'INVALID_CONFIG'
  /** The venue would not subscribe a channel (unknown name, or private without credentials): its streams error with this. */
  | 'CHANNEL_REFUSED'
  /** The supervisor's circuit breaker is open: no rebuild is attempted until it half-opens. */
  | 'CIRCUIT_OPEN'
  /** `whenReady(timeoutMs)` gave up. */
  | 'READY_TIMEOUT'
  /** A request could not be built (params not serialisable as JSON, bad timeout). Not retryable. */
  | 'INVALID_REQUEST';

export interface ExchangeConnectionErrorDetails {
  /** Venue error code from a JSON-RPC error response (e.g. Deribit 13004). */
  venueCode?: number;
  /** WebSocket close code, when the failure was a close. */
  closeCode?: number;
  /** HTTP status of a rejected upgrade. */
  httpStatus?: number;
  /** Node system error code of the underlying fault (ECONNREFUSED, ECONNRESET, ...). */
  systemCode?: string;
  /** How many connection attempts were made. */
  attempts?: number;
  /** The JSON-RPC method a request error belongs to (never its params). */
  method?: string;
  /**
   * How long the venue asked for no further request (a rate limit or ban that states it: Binance's
   * `Retry-After` header or `retryAfter` field), in ms from when the answer was read.
   */
  retryAfterMs?: number;
  cause?: unknown;
}

export class ExchangeConnectionError extends Error {
  readonly code: ExchangeConnectionErrorCode;
  readonly venueCode?: number;
  readonly closeCode?: number;
  readonly httpStatus?: number;
  readonly systemCode?: string;
  readonly attempts?: number;
  readonly method?: string;
  readonly retryAfterMs?: number;

  constructor(code: ExchangeConnectionErrorCode, message: string, details: ExchangeConnectionErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ExchangeConnectionError';
    this.code = code;
    this.venueCode = details.venueCode;
    this.closeCode = details.closeCode;
    this.httpStatus = details.httpStatus;
    this.systemCode = details.systemCode;
    this.attempts = details.attempts;
    this.method = details.method;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export function isExchangeConnectionError(value: unknown): value is ExchangeConnectionError {
  return value instanceof ExchangeConnectionError;
}

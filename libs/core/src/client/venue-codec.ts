import type { ExchangeConnectionError } from './errors.js';
import type { MalformedReason } from './frame-guard.js';

/**
 * A venue's error as its frame states it: JSON-RPC `error.code`/`error.message`; Bybit
 * `retCode`/`retMsg` on order entry, only `ret_msg` on stream acks (no code); Binance `code`/`msg`.
 */
export interface VenueErrorInfo {
  code?: number;
  message: string;
}

/** A parsed inbound frame as the venue's parsed JSON: handed on as is, never copied. */
export type VenueMessage = Readonly<Record<string, unknown>>;

/**
 * What one parsed frame is to the client. A response names the request it answers by `id` when the
 * venue echoed one, otherwise by `method` (the oldest pending request of that method: a venue
 * answers one socket's requests in order).
 */
export type DecodedFrame =
  | { readonly kind: 'response'; readonly id?: number; readonly method?: string; readonly result: unknown }
  | { readonly kind: 'error'; readonly id?: number; readonly method?: string; readonly error: VenueErrorInfo }
  /** For the session (data, venue heartbeats): the parsed frame itself is emitted. */
  | { readonly kind: 'message' }
  | { readonly kind: 'malformed'; readonly reason: MalformedReason };

/** Decoders answer every message with this one object, so the hot path allocates nothing. */
export const MESSAGE_FRAME: DecodedFrame = Object.freeze({ kind: 'message' });

/** Preallocated answers per reason, for the same reason. */
export const MALFORMED_FRAME: { readonly [R in MalformedReason]: DecodedFrame } = Object.freeze({
  binary: Object.freeze({ kind: 'malformed', reason: 'binary' }),
  'too-large': Object.freeze({ kind: 'malformed', reason: 'too-large' }),
  unparsable: Object.freeze({ kind: 'malformed', reason: 'unparsable' }),
  'too-deep': Object.freeze({ kind: 'malformed', reason: 'too-deep' }),
  'not-an-object': Object.freeze({ kind: 'malformed', reason: 'not-an-object' }),
  'wrong-shape': Object.freeze({ kind: 'malformed', reason: 'wrong-shape' }),
  'unknown-id': Object.freeze({ kind: 'malformed', reason: 'unknown-id' }),
});

/**
 * A venue's envelope: how a request is written and what an inbound frame means. The client owns
 * the socket, parses each frame once (within the frame guard's bounds) and asks its codec what the
 * object is; one codec per client, so it may keep per-client state (an id prefix).
 */
export interface VenueCodec {
  /**
   * One request frame. `id` increases for the client's life; the codec renders it as its venue
   * wants. Throws INVALID_REQUEST for params it cannot carry (never a secret in the message).
   */
  encode(id: number, method: string, params: object | undefined): string;
  /** Classifies one parsed JSON object. Never throws, never copies. */
  decode(frame: VenueMessage): DecodedFrame;
  /** A typed error for a venue error answering `method` (the venue's words cleaned, never params). */
  toError(error: VenueErrorInfo, method: string): ExchangeConnectionError;
}

import { ExchangeConnectionError } from './errors.js';
import {
  MALFORMED_FRAME,
  MESSAGE_FRAME,
  type DecodedFrame,
  type VenueCodec,
  type VenueErrorInfo,
  type VenueMessage,
} from './venue-codec.js';

/** A JSON-RPC notification (a frame without an id), e.g. Deribit `subscription` or `heartbeat`. */
export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: unknown;
}

/** Turns a JSON-RPC error (code, the venue's cleaned words) into a typed error for `method`. */
export type JsonRpcErrorMapper = (venueCode: number, message: string, method: string) => ExchangeConnectionError;

/**
 * JSON-RPC 2.0 (Deribit's envelope): `{"jsonrpc":"2.0","id","method","params"}` out; results and
 * errors matched by `id`, notifications (no `id`) handed to the session.
 */
export class JsonRpcCodec implements VenueCodec {
  constructor(private readonly mapError?: JsonRpcErrorMapper) {}

  encode(id: number, method: string, params: object | undefined): string {
    return JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
  }

  decode(frame: VenueMessage): DecodedFrame {
    return decodeJsonRpc(frame);
  }

  toError(error: VenueErrorInfo, method: string): ExchangeConnectionError {
    const venueCode = error.code ?? 0;
    if (this.mapError) return this.mapError(venueCode, error.message, method);
    return new ExchangeConnectionError('VENUE_ERROR', `${method} failed: ${venueCode} ${error.message}`, { venueCode, method });
  }
}

/** What one parsed JSON-RPC 2.0 frame is. */
export function decodeJsonRpc(frame: VenueMessage): DecodedFrame {
  const { id } = frame;
  if (id !== undefined && id !== null) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return MALFORMED_FRAME['wrong-shape'];
    if ('result' in frame) return { kind: 'response', id, result: frame.result };
    const error = frame.error;
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as Record<string, unknown>;
      if (typeof code === 'number') {
        return { kind: 'error', id, error: { code, message: typeof message === 'string' ? message : '' } };
      }
    }
    return MALFORMED_FRAME['wrong-shape'];
  }
  if (typeof frame.method === 'string' && frame.method.length > 0) {
    // JSON-RPC also allows array params, but every venue this library targets sends an object;
    // anything else cannot be routed and is treated as junk.
    const { params } = frame;
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      return MALFORMED_FRAME['wrong-shape'];
    }
    // The parsed object is handed on as is (no copy per message): method and params are checked.
    return MESSAGE_FRAME;
  }
  return MALFORMED_FRAME['wrong-shape'];
}

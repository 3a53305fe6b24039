import { ExchangeConnectionError } from '../../client/errors.js';
import {
  MALFORMED_FRAME,
  MESSAGE_FRAME,
  type DecodedFrame,
  type VenueCodec,
  type VenueErrorInfo,
  type VenueMessage,
} from '../../client/venue-codec.js';
import { mapBinanceError } from './binance-errors.js';

/**
 * Binance's envelope, one per client. Requests are `{"method","params","id"}`: market-stream
 * methods (SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY) take a list, so
 * the session passes `{ args: [...] }` and the list goes out as `params`; WebSocket API methods
 * take an object, sent as is. Answers: `{"result","id"}` or `{"error":{"code","msg"},"id"}` on market
 * streams, `{"id","status","result" | "error"}` on the WebSocket API; both matched by `id` (our
 * ids are the client's numbers). Everything else is a message for the session: combined-stream
 * data `{"stream","data"}`, raw events `{"e",…}`, user data `{"subscriptionId","event"}`, and an
 * error without an id (the WebSocket API's answer after a key was revoked: `id: null`, 401, -2015),
 * which the session turns into a fatal error.
 */
export class BinanceCodec implements VenueCodec {
  /**
   * The HTTP-like status of the error answer decoded last (the WebSocket API sends one). `toError`
   * gets no frame: the client settles each answer right after decoding it (decode, then toError,
   * synchronously), so the status is handed over here.
   */
  #lastStatus: number | undefined;
  /** The same hand-over for the wait a 429 / 418 states (`data.retryAfter`, an epoch ms of the venue's clock). */
  #lastRetryAfterMs: number | undefined;

  encode(id: number, method: string, params: object | undefined): string {
    if (params === undefined) return JSON.stringify({ method, id });
    const record = params as Readonly<Record<string, unknown>>;
    if ('method' in record || 'id' in record) {
      throw new ExchangeConnectionError('INVALID_REQUEST', `Binance ${method}: params may not set "method" or "id"`, { method });
    }
    const list = record.args;
    return JSON.stringify({ method, params: Array.isArray(list) ? list : params, id });
  }

  decode(frame: VenueMessage): DecodedFrame {
    // The hot path first: combined-stream data names its stream and carries nothing of an answer.
    // A payload that is not an object cannot be a Binance event: dropped as malformed.
    if (typeof frame.stream === 'string') {
      return typeof frame.data === 'object' && frame.data !== null ? MESSAGE_FRAME : MALFORMED_FRAME['wrong-shape'];
    }
    if (!('id' in frame)) return MESSAGE_FRAME;
    const { id } = frame;
    const error = frame.error;
    if (id === null || id === undefined) {
      // An answer to nobody: a revoked session's error is the session's to act on.
      return typeof error === 'object' && error !== null ? MESSAGE_FRAME : MALFORMED_FRAME['unknown-id'];
    }
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return MALFORMED_FRAME['unknown-id'];
    if (typeof error === 'object' && error !== null) {
      const { code, msg, data } = error as { code?: unknown; msg?: unknown; data?: unknown };
      this.#lastStatus = typeof frame.status === 'number' ? frame.status : undefined;
      this.#lastRetryAfterMs = retryAfterMsOf(data);
      return {
        kind: 'error',
        id,
        error: { code: typeof code === 'number' ? code : undefined, message: typeof msg === 'string' ? msg : '' },
      };
    }
    if ('result' in frame) return { kind: 'response', id, result: frame.result };
    return MALFORMED_FRAME['wrong-shape'];
  }

  toError(error: VenueErrorInfo, method: string): ExchangeConnectionError {
    const status = this.#lastStatus;
    const retryAfterMs = this.#lastRetryAfterMs;
    this.#lastStatus = undefined;
    this.#lastRetryAfterMs = undefined;
    return mapBinanceError({ code: error.code, message: error.message, method, status, retryAfterMs });
  }
}

/**
 * The WebSocket API's `{"serverTime","retryAfter"}` (both epoch ms of the venue's clock) as a wait
 * from now: measured against `serverTime`, so a skewed local clock does not stretch or cut it.
 */
function retryAfterMsOf(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { retryAfter, serverTime } = data as { retryAfter?: unknown; serverTime?: unknown };
  if (typeof retryAfter !== 'number' || !Number.isFinite(retryAfter)) return undefined;
  const from = typeof serverTime === 'number' && Number.isFinite(serverTime) ? serverTime : Date.now();
  return Math.max(0, retryAfter - from);
}

import { ExchangeConnectionError, isExchangeConnectionError, type ExchangeConnectionErrorCode } from '../../client/errors.js';

/**
 * What to do about a Binance error:
 * - `retry`: the outcome is unknown or the venue had a hiccup (5xx, -1001 disconnected, -1007
 *   timeout): an idempotent call (subscribe, a snapshot) may be repeated; an order never blindly —
 *   its state must be queried first.
 * - `back-off`: a rate limit (429 / -1003, 418 banned until `retryAfter`, -1015 too many orders):
 *   pause, then an idempotent call may be repeated.
 * - `fatal`: retrying cannot help until someone fixes the key, its IP list, its permissions, the
 *   signature or the clock (-2015, -2014, -1022, -1021, -1002, 401, 403): the circuit opens at once.
 * - `reject`: this one request failed (bad params, an unknown stream); the connection is fine.
 */
export type BinanceErrorClass = 'retry' | 'back-off' | 'fatal' | 'reject';

/** Binance codes this library branches on (binance-spot-api-docs errors.md; market streams: 0–3). */
export const BINANCE_ERROR = {
  UNKNOWN: -1000,
  DISCONNECTED: -1001,
  UNAUTHORIZED: -1002,
  TOO_MANY_REQUESTS: -1003,
  TIMEOUT: -1007,
  TOO_MANY_ORDERS: -1015,
  INVALID_TIMESTAMP: -1021,
  INVALID_SIGNATURE: -1022,
  BAD_API_KEY_FMT: -2014,
  REJECTED_MBX_KEY: -2015,
} as const;

interface CodeRule {
  readonly errorClass: BinanceErrorClass;
  /** What a person must check; said in the error message of a fatal code. */
  readonly hint?: string;
}

const RULES: ReadonlyMap<number, CodeRule> = new Map<number, CodeRule>([
  [-2015, { errorClass: 'fatal', hint: 'API key rejected (invalid, revoked, IP not allowed, or missing a permission)' }],
  [-2014, { errorClass: 'fatal', hint: 'API key format invalid' }],
  [-1022, { errorClass: 'fatal', hint: 'signature rejected: check the API secret' }],
  [-1021, { errorClass: 'fatal', hint: 'timestamp outside recvWindow: check the clock of this host' }],
  [-1002, { errorClass: 'fatal', hint: 'not authorized for this request' }],
  [-1003, { errorClass: 'back-off' }],
  [-1015, { errorClass: 'back-off' }],
  [-1001, { errorClass: 'retry' }],
  [-1007, { errorClass: 'retry' }],
]);

/** One error as a Binance frame or REST body states it, with the HTTP-like status when there is one. */
export interface BinanceErrorInfo {
  code?: number;
  message: string;
  method: string;
  status?: number;
  /** How long the venue asked for no request (REST `Retry-After`, WebSocket API `retryAfter`). */
  retryAfterMs?: number;
}

export function classifyBinanceError(error: Pick<BinanceErrorInfo, 'code' | 'status'>): BinanceErrorClass {
  const rule = error.code === undefined ? undefined : RULES.get(error.code);
  if (rule !== undefined) return rule.errorClass;
  const status = error.status;
  if (status === 429 || status === 418) return 'back-off';
  if (status === 401 || status === 403) return 'fatal';
  if (status !== undefined && status >= 500) return 'retry';
  return 'reject';
}

const CODE_BY_CLASS: Readonly<Record<BinanceErrorClass, ExchangeConnectionErrorCode>> = {
  fatal: 'INVALID_CREDENTIALS',
  'back-off': 'RATE_LIMITED',
  retry: 'VENUE_ERROR',
  reject: 'VENUE_ERROR',
};

/**
 * A typed error for a Binance failure: the method, the venue's own words (cleaned by the caller)
 * and, for a fatal code, what to check. Never the request's params (a signed request holds the key
 * and the signature).
 */
export function mapBinanceError(error: BinanceErrorInfo): ExchangeConnectionError {
  const errorClass = classifyBinanceError(error);
  const hint = error.code === undefined ? undefined : RULES.get(error.code)?.hint;
  const code = error.code === undefined ? '' : ` (${error.code})`;
  const words = error.message.length > 0 ? error.message : 'no message';
  const what = hint === undefined ? words : `${hint}; venue says: ${words}`;
  const wait = error.retryAfterMs === undefined ? '' : `; no request for ${Math.ceil(error.retryAfterMs / 1000)} s`;
  return new ExchangeConnectionError(CODE_BY_CLASS[errorClass], `Binance ${error.method} failed: ${what}${code}${wait}`, {
    venueCode: error.code,
    method: error.method,
    httpStatus: error.status,
    retryAfterMs: error.retryAfterMs,
  });
}

/** The class of a typed error (as `mapBinanceError` made it); socket and timeout errors are not the venue's. */
export function binanceErrorClass(error: unknown): BinanceErrorClass | undefined {
  if (!isExchangeConnectionError(error)) return undefined;
  if (error.code === 'INVALID_CREDENTIALS') return 'fatal';
  if (error.code === 'RATE_LIMITED') return 'back-off';
  if (error.code !== 'VENUE_ERROR') return undefined;
  return classifyBinanceError({ code: error.venueCode, status: error.httpStatus });
}

/** Opens the circuit at once: a rejected key, signature, clock or permission. */
export function isBinanceFatal(error: ExchangeConnectionError): boolean {
  return binanceErrorClass(error) === 'fatal';
}

/**
 * The venue's answer says an idempotent call may be repeated after a pause: a rate limit, a 5xx or
 * -1001 / -1007. (On a socket, a transport failure means the session is gone: nothing to repeat.)
 */
export function isBinanceRepeatable(error: unknown): boolean {
  const errorClass = binanceErrorClass(error);
  return errorClass === 'back-off' || errorClass === 'retry';
}

/**
 * Worth repeating after a pause (an idempotent REST call only: a snapshot, a listenKey): what the
 * venue says may be repeated, or a REST endpoint that did not answer.
 */
export function isBinanceRetryable(error: unknown): boolean {
  if (isBinanceRepeatable(error)) return true;
  return isExchangeConnectionError(error) && (error.code === 'CONNECT_FAILED' || error.code === 'REQUEST_TIMEOUT');
}

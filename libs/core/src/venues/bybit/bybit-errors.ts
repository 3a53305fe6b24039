import { ExchangeConnectionError, isExchangeConnectionError, type ExchangeConnectionErrorCode } from '../../client/errors.js';

/**
 * What to do about a Bybit error:
 * - `reconnect`: the service behind this socket is restarting; a new socket is routed elsewhere.
 * - `back-off`: a rate limit; an idempotent call may be repeated after a pause, an order never.
 * - `fatal`: retrying cannot help until someone fixes the key, its permissions or its IP list
 *   (and may lock the account): the circuit opens at once.
 * - `reject`: this one request failed (bad params, unknown topic); the connection is fine.
 */
export type BybitErrorClass = 'reconnect' | 'back-off' | 'fatal' | 'reject';

/** Bybit v5 codes this library branches on (docs: v5 "Error Codes": "WS OE General code" and "UTA"). */
export const BYBIT_ERROR = {
  /** UTA: API key invalid. WS OE: too many sessions under the same UID. Both need a person. */
  API_KEY_INVALID_OR_TOO_MANY_SESSIONS: 10003,
  SIGNATURE_ERROR: 10004,
  PERMISSION_DENIED: 10005,
  TOO_MANY_VISITS: 10006,
  USER_AUTH_FAILED: 10007,
  UNMATCHED_IP: 10010,
  SERVICE_RESTARTING: 10016,
  TRADE_SERVICE_RESTARTING: 10019,
  IP_RATE_LIMIT: 10403,
  SYSTEM_FREQUENCY_PROTECTION: 10429,
  SESSION_TOO_FREQUENT: 20003,
  REQ_ID_DUPLICATED: 20006,
  API_KEY_EXPIRED: 33004,
  SPOT_API_KEY_EXPIRED: -2015,
} as const;

interface CodeRule {
  readonly errorClass: BybitErrorClass;
  /** What a person must check; said in the error message of a fatal code. */
  readonly hint?: string;
}

// Where VENUES.md and the docs differ, the docs win: 10003 is "API key is invalid" (UTA) but "Too
// many sessions under the same UID" on the order-entry socket (WS OE) — fatal either way, the hint
// names both. 20006 ("reqId is duplicated") is listed as fatal in VENUES.md, but the docs make it
// about one request, which was not processed: it rejects that request and leaves the connection be.
const RULES: ReadonlyMap<number, CodeRule> = new Map<number, CodeRule>([
  [10003, { errorClass: 'fatal', hint: 'API key invalid (or too many sessions for this UID on /v5/trade)' }],
  [10004, { errorClass: 'fatal', hint: 'signature rejected: check the API secret' }],
  [10005, { errorClass: 'fatal', hint: 'permission denied: the API key lacks a permission this connection needs' }],
  [10007, { errorClass: 'fatal', hint: 'user authentication failed' }],
  [10010, { errorClass: 'fatal', hint: 'unmatched IP: the API key is bound to other IP addresses' }],
  [33004, { errorClass: 'fatal', hint: 'the API key has expired' }],
  [-2015, { errorClass: 'fatal', hint: 'the API key has expired' }],
  [10016, { errorClass: 'reconnect' }],
  [10019, { errorClass: 'reconnect' }],
  [10006, { errorClass: 'back-off' }],
  [10403, { errorClass: 'back-off' }],
  [10429, { errorClass: 'back-off' }],
  [20003, { errorClass: 'back-off' }],
  [20006, { errorClass: 'reject' }],
]);

/** One error as a Bybit frame states it: `retCode`/`retMsg` (order entry), or `success:false` + `ret_msg` (streams: no code). */
export interface BybitErrorInfo {
  code?: number;
  message: string;
  op: string;
}

// The stream endpoints answer a failed op with `success:false` and text only (the docs show no
// failure sample and no code field); these words decide when no code can be read.
const RATE_WORDS = /too many|frequen|rate limit/i;
// "Params Error" is what the venue says to a stale `expires` (and to malformed auth args); a
// stale `expires` is a clock or a slow link, and the next socket signs a fresh one.
const NOT_THE_KEY = /params error|expire|timestamp|time window|recv.?window/i;

export function classifyBybitError(error: BybitErrorInfo): BybitErrorClass {
  if (error.code !== undefined) return RULES.get(error.code)?.errorClass ?? 'reject';
  if (RATE_WORDS.test(error.message)) return 'back-off';
  // Any other refused auth is taken as the key, the secret, its permissions or its IP: retrying
  // those cannot succeed and may lock the account, so the circuit opens (and says why).
  if (error.op === 'auth') return NOT_THE_KEY.test(error.message) ? 'reject' : 'fatal';
  return 'reject';
}

const CODE_BY_CLASS: Readonly<Record<BybitErrorClass, ExchangeConnectionErrorCode>> = {
  fatal: 'INVALID_CREDENTIALS',
  'back-off': 'RATE_LIMITED',
  reconnect: 'VENUE_ERROR',
  reject: 'VENUE_ERROR',
};

/**
 * A typed error for a Bybit failure. The message holds the op, the venue's own words (cleaned by
 * the caller: one bounded, printable line) and, for a fatal code, what to check; never the
 * request's args (an auth's args hold the key and signature).
 */
export function mapBybitError(error: BybitErrorInfo): ExchangeConnectionError {
  const errorClass = classifyBybitError(error);
  const hint = error.code === undefined ? undefined : RULES.get(error.code)?.hint;
  const code = error.code === undefined ? '' : ` (${error.code})`;
  const words = error.message.length > 0 ? error.message : 'no message';
  const what = hint === undefined ? words : `${hint}; venue says: ${words}`;
  return new ExchangeConnectionError(CODE_BY_CLASS[errorClass], `Bybit ${error.op} failed: ${what}${code}`, {
    venueCode: error.code,
    method: error.op,
  });
}

/** The class of a typed error (as `mapBybitError` made it); socket and timeout errors are not the venue's. */
export function bybitErrorClass(error: unknown): BybitErrorClass | undefined {
  if (!isExchangeConnectionError(error)) return undefined;
  if (error.code === 'INVALID_CREDENTIALS') return 'fatal';
  if (error.code === 'RATE_LIMITED') return 'back-off';
  if (error.code !== 'VENUE_ERROR') return undefined;
  return error.venueCode === undefined ? 'reject' : (RULES.get(error.venueCode)?.errorClass ?? 'reject');
}

/** Opens the circuit at once: bad key, signature, permissions, IP, expired key, or an auth refused outright. */
export function isBybitFatal(error: ExchangeConnectionError): boolean {
  return bybitErrorClass(error) === 'fatal';
}

import { ExchangeConnectionError, isExchangeConnectionError } from '../../client/errors.js';
import { callBinanceRest, type BinanceFetch } from './binance-rest.js';

/**
 * The USDⓈ-M user data stream's REST endpoint (USDⓈ-M docs, "User Data Streams"): POST creates a
 * listenKey (or returns the account's active one, extended), PUT extends the active one by 60
 * minutes, DELETE closes it. Security type USER_STREAM: the API key in `X-MBX-APIKEY`, no
 * signature, and on USDⓈ-M no parameter (the key is the account's), so no secret is ever in a URL.
 */
export const BINANCE_LISTEN_KEY_PATH = '/fapi/v1/listenKey';

/** "This listenKey does not exist.": the key lapsed or was closed; POST a new one. */
export const BINANCE_LISTEN_KEY_GONE = -1125;

/** Where and how the listenKey calls go; the API key is sent as a header only. */
export interface BinanceListenKeyRest {
  readonly fetch: BinanceFetch;
  readonly restUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
}

/**
 * `POST /fapi/v1/listenKey`: the listenKey of the account (a new one, or the active one extended).
 * Errors are typed as the depth snapshot's are (401 / -2015 → INVALID_CREDENTIALS, 429 / 418 →
 * RATE_LIMITED with the `Retry-After` as `retryAfterMs`, 5xx → a retryable VENUE_ERROR); none
 * carries the API key or a listenKey.
 */
export async function createBinanceListenKey(rest: BinanceListenKeyRest, signal: AbortSignal): Promise<string> {
  const body = await listenKeyCall(rest, 'POST', signal);
  const listenKey = (body as { listenKey?: unknown } | undefined)?.listenKey;
  if (typeof listenKey !== 'string' || listenKey.length === 0 || listenKey.length > 256) {
    throw new ExchangeConnectionError('VENUE_ERROR', `Binance POST ${BINANCE_LISTEN_KEY_PATH}: the answer holds no listenKey`, {
      method: `POST ${BINANCE_LISTEN_KEY_PATH}`,
    });
  }
  return listenKey;
}

/** `PUT /fapi/v1/listenKey`: the account's active key lives 60 more minutes (-1125 when there is none). */
export async function keepAliveBinanceListenKey(rest: BinanceListenKeyRest, signal: AbortSignal): Promise<void> {
  await listenKeyCall(rest, 'PUT', signal);
}

/** True for the venue's "This listenKey does not exist" (-1125): a new key must be created. */
export function isBinanceListenKeyGone(error: unknown): boolean {
  return isExchangeConnectionError(error) && error.venueCode === BINANCE_LISTEN_KEY_GONE;
}

/**
 * The socket URL with the listenKey (and the `events` allow list, when given) in its query, as the
 * 2026 routed endpoint takes it: `/private/ws?listenKey=<key>&events=A/B`. The names are joined
 * with a literal `/`, as the venue's own example writes them.
 */
export function binanceListenKeyUrl(base: string, listenKey: string, events: readonly string[] | undefined): string {
  const url = new URL(base);
  url.search = '';
  const query = [`listenKey=${encodeURIComponent(listenKey)}`];
  if (events !== undefined) query.push(`events=${events.map((name) => encodeURIComponent(name)).join('/')}`);
  url.search = `?${query.join('&')}`;
  return url.toString();
}

/** A URL fit for a log or a status page: the listenKey's value replaced (it opens the account's stream). */
export function redactListenKey(url: string): string {
  return url.replace(/([?&]listenKey=)[^&#]*/g, '$1***');
}

function listenKeyCall(rest: BinanceListenKeyRest, verb: 'POST' | 'PUT', signal: AbortSignal): Promise<unknown> {
  const url = `${rest.restUrl.replace(/\/+$/, '')}${BINANCE_LISTEN_KEY_PATH}`;
  const headers = { 'X-MBX-APIKEY': rest.apiKey };
  return callBinanceRest(
    rest.fetch,
    url,
    { method: verb, headers },
    `${verb} ${BINANCE_LISTEN_KEY_PATH}`,
    signal,
    rest.timeoutMs,
  );
}

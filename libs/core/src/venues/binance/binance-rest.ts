import { ExchangeConnectionError } from '../../client/errors.js';
import { cleanVenueText } from '../../client/venue-text.js';
import type { BinanceBookFlavour, BinanceDepthSnapshot, BinanceLevel } from './binance-book.js';
import { mapBinanceError } from './binance-errors.js';

/** The fetch this adapter uses (node's global one by default; a test may pass its own). */
export type BinanceFetch = (
  url: string,
  init: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; signal: AbortSignal; headers: Record<string, string> },
) => Promise<{
  status: number;
  /** Read for `Retry-After` on a 429 / 418 (a fetch without headers is taken as sending none). */
  headers?: { get(name: string): string | null };
  json(): Promise<unknown>;
}>;

const DEPTH_PATH: Readonly<Record<BinanceBookFlavour, string>> = { spot: '/api/v3/depth', futures: '/fapi/v1/depth' };

/** Default REST bases (the venue's production hosts). */
export const BINANCE_REST_URLS: Readonly<Record<BinanceBookFlavour, string>> = {
  spot: 'https://api.binance.com',
  futures: 'https://fapi.binance.com',
};

/**
 * `GET /api/v3/depth` (spot) or `/fapi/v1/depth` (USDⓈ-M) for one symbol, bounded by `timeoutMs` and
 * aborted with `signal` (the session's end). A venue error is typed like a WebSocket one (429/418 →
 * RATE_LIMITED with the `Retry-After` as `retryAfterMs`, 5xx → a retryable VENUE_ERROR, 4xx → VENUE_ERROR); a network failure or the bound is
 * CONNECT_FAILED / REQUEST_TIMEOUT. The URL holds no secret (the snapshot is public).
 */
export async function fetchBinanceDepth(
  fetchImpl: BinanceFetch,
  restUrl: string,
  flavour: BinanceBookFlavour,
  symbol: string,
  limit: number,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<BinanceDepthSnapshot> {
  const method = `GET ${DEPTH_PATH[flavour]}`;
  const url = `${restUrl.replace(/\/+$/, '')}${DEPTH_PATH[flavour]}?symbol=${encodeURIComponent(symbol)}&limit=${limit}`;
  const body = await callBinanceRest(fetchImpl, url, { method: 'GET', headers: {} }, method, signal, timeoutMs);
  const snapshot = body as Partial<BinanceDepthSnapshot> | undefined;
  if (
    snapshot === undefined ||
    typeof snapshot.lastUpdateId !== 'number' ||
    !isLevels(snapshot.bids) ||
    !isLevels(snapshot.asks)
  ) {
    throw new ExchangeConnectionError('VENUE_ERROR', `Binance ${method}: the answer is not a depth snapshot`, { method });
  }
  return { lastUpdateId: snapshot.lastUpdateId, bids: snapshot.bids, asks: snapshot.asks };
}

/**
 * `Retry-After` as Binance sends it: whole seconds (rest-api.md: "a Retry-After header ... with the
 * number of seconds required to wait"). An HTTP date or garbage is ignored: the back-off still applies.
 */
export function retryAfterMsOf(header: string | null | undefined): number | undefined {
  if (header === null || header === undefined || !/^\s*\d{1,9}\s*$/.test(header)) return undefined;
  return Number(header) * 1000;
}

/**
 * One Binance REST call, bounded by `timeoutMs` and aborted with `signal` (the session's end): the
 * parsed body of a 200, else a typed error — the venue's (`mapBinanceError`, with `Retry-After` as
 * `retryAfterMs`), NOT_CONNECTED, REQUEST_TIMEOUT or CONNECT_FAILED. `label` names the call in
 * errors ("GET /api/v3/depth"); neither a header (an API key) nor the URL's query is ever in one.
 */
export async function callBinanceRest(
  fetchImpl: BinanceFetch,
  url: string,
  init: { method: 'GET' | 'POST' | 'PUT'; headers: Record<string, string> },
  label: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<unknown> {
  const bound = AbortSignal.timeout(timeoutMs);
  const either = AbortSignal.any([signal, bound]);
  let status: number;
  let body: unknown;
  let retryAfter: string | null | undefined;
  try {
    const response = await fetchImpl(url, {
      method: init.method,
      signal: either,
      headers: { accept: 'application/json', ...init.headers },
    });
    status = response.status;
    retryAfter = response.headers?.get('retry-after');
    body = await response.json().catch(() => undefined);
  } catch (cause) {
    const method = label;
    if (signal.aborted) throw new ExchangeConnectionError('NOT_CONNECTED', `Binance ${label}: session ended`, { method });
    if (bound.aborted) {
      throw new ExchangeConnectionError('REQUEST_TIMEOUT', `Binance ${label} timed out after ${timeoutMs} ms`, { method });
    }
    // The cause is a network error from fetch: it names the host, never a header.
    throw new ExchangeConnectionError('CONNECT_FAILED', `Binance ${label} failed: no answer from the REST endpoint`, {
      method,
      cause,
    });
  }
  if (status !== 200) {
    const error = (typeof body === 'object' && body !== null ? body : {}) as { code?: unknown; msg?: unknown };
    throw mapBinanceError({
      code: typeof error.code === 'number' ? error.code : undefined,
      message: cleanVenueText(typeof error.msg === 'string' ? error.msg : `HTTP ${status}`),
      method: label,
      status,
      retryAfterMs: retryAfterMsOf(retryAfter),
    });
  }
  return body;
}

function isLevels(value: unknown): value is BinanceLevel[] {
  return (
    Array.isArray(value) &&
    value.every((level) => Array.isArray(level) && typeof level[0] === 'string' && typeof level[1] === 'string')
  );
}

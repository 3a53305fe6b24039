import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BinanceBooks } from './feeds/binance-feed-catalog.js';
import { binanceErrors, BinanceApiError, BinanceErrorCode, type BinanceErrorBody } from './binance-errors.js';
import type { ResolvedBinanceOptions } from './binance-options.js';
import type { BinanceProduct } from './binance-streams.js';

/** USDⓈ-M `/fapi/v1/depth` takes these limits only (default 500); spot takes 1..5000 (default 100). */
const USDM_LIMITS: readonly number[] = [5, 10, 20, 50, 100, 500, 1000];

const DEPTH_PATHS: Readonly<Record<string, BinanceProduct>> = { '/api/v3/depth': 'spot', '/fapi/v1/depth': 'usdm' };

export interface RestContext {
  readonly options: ResolvedBinanceOptions;
  readonly books: BinanceBooks;
  readonly onSnapshot: () => void;
  /** `setRestRejection(status)`: every REST request answers this status instead. */
  readonly rejection: () => RestRejection | null;
  /** `banIp(ms)`: until this time (the exchange's clock) every request answers 418; 0 when none. */
  readonly bannedUntil: () => number;
  /** A REST request arrived during a ban (counted: a client that honours `Retry-After` sends one). */
  readonly onBannedRequest: () => void;
  /** Schedules a response (the response-delay fault); the exchange clears pending ones on stop. */
  readonly later: (fn: () => void) => void;
}

/** What `setRestRejection` set: the status, and the `Retry-After` (seconds) to send with a 429 / 418. */
export interface RestRejection {
  readonly status: number;
  readonly retryAfterSeconds?: number;
}

export function send(response: ServerResponse, status: number, body: unknown, retryAfterSeconds?: number): void {
  if (response.destroyed) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(payload),
    ...(retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) }),
  });
  response.end(payload);
}

function rejectionBody(status: number, limit: number, now: number): BinanceErrorBody {
  if (status === 429) return binanceErrors.tooMuchWeight(limit, now, now + 60_000).body;
  if (status === 418) {
    return {
      code: BinanceErrorCode.TooManyRequests,
      msg: `Way too much request weight used; IP banned until ${now + 120_000}. Please use WebSocket Streams for live updates to avoid bans.`,
    };
  }
  return { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' };
}

/** The fault switches every REST path answers first (`banIp`, `setRestRejection`). */
export type RestFaults = Pick<RestContext, 'bannedUntil' | 'onBannedRequest' | 'rejection'>;

/** Whether a ban or a REST rejection answered this request (418 / 429 / 5xx with the venue's body, `Retry-After` when set). */
export function answeredByFault(
  ctx: RestFaults & { readonly options: Pick<ResolvedBinanceOptions, 'requestWeightPerMinute'> },
  response: ServerResponse,
  now: number,
): boolean {
  const bannedUntil = ctx.bannedUntil();
  if (bannedUntil > now) {
    ctx.onBannedRequest();
    const { code, msg } = binanceErrors.ipBanned(now, bannedUntil).body;
    send(response, 418, { code, msg }, Math.ceil((bannedUntil - now) / 1000));
    return true;
  }
  const rejection = ctx.rejection();
  if (rejection === null) return false;
  const { status, retryAfterSeconds } = rejection;
  send(response, status, rejectionBody(status, ctx.options.requestWeightPerMinute, now), retryAfterSeconds);
  return true;
}

/**
 * The REST depth snapshots (rest-api.md `GET /api/v3/depth`; USDⓈ-M `GET /fapi/v1/depth`):
 * `lastUpdateId` and levels of the same book the diff streams describe. Returns false for any other
 * path, so the listener answers it like a WebSocket-only endpoint.
 */
export function handleRest(ctx: RestContext, request: IncomingMessage, response: ServerResponse, url: URL): boolean {
  const product = DEPTH_PATHS[url.pathname];
  if (product === undefined) {
    if (!url.pathname.startsWith('/api/') && !url.pathname.startsWith('/fapi/')) return false;
    send(response, 404, { code: -1000, msg: `No such endpoint: ${url.pathname}` });
    return true;
  }
  const answer = (): void => {
    const now = ctx.options.now();
    if (answeredByFault(ctx, response, now)) return;
    if (request.method !== 'GET') return send(response, 405, { code: -1000, msg: `${request.method ?? ''} not allowed` });
    try {
      const body = depth(ctx, product, url.searchParams, now);
      ctx.onSnapshot();
      send(response, 200, body);
    } catch (error) {
      const failure = error instanceof BinanceApiError ? error : new BinanceApiError(500, { code: -1000, msg: 'unknown error' });
      send(response, failure.status, failure.body);
    }
  };
  ctx.later(answer);
  return true;
}

function depth(ctx: RestContext, product: BinanceProduct, query: URLSearchParams, now: number): Record<string, unknown> {
  const symbol = query.get('symbol');
  if (symbol === null || symbol === '') throw binanceErrors.mandatory('symbol');
  if (!ctx.options.symbols[product].includes(symbol)) throw binanceErrors.badSymbol();
  const rawLimit = query.get('limit');
  let limit = product === 'spot' ? 100 : 500;
  if (rawLimit !== null) {
    const value = Number(rawLimit);
    if (!Number.isInteger(value) || value < 1) throw binanceErrors.mandatory('limit');
    if (product === 'usdm' && !USDM_LIMITS.includes(value)) throw binanceErrors.mandatory('limit');
    limit = Math.min(value, 5000);
  }
  const snapshot = ctx.books.get(product, symbol).snapshot(limit);
  if (product === 'spot') return snapshot;
  return { lastUpdateId: snapshot.lastUpdateId, E: now, T: now - 1, bids: snapshot.bids, asks: snapshot.asks };
}

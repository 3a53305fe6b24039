/**
 * The Binance endpoints this adapter speaks, one socket (and one connection) each:
 * - `spot`: spot market streams, `wss://stream.binance.com:9443/stream` (combined form, live SUBSCRIBE);
 * - `futures-public` / `futures-market`: USDⓈ-M market streams on their 2026 routed paths,
 *   `wss://fstream.binance.com/public/stream` (depth, bookTicker, trade) and `/market/stream`
 *   (aggTrade, markPrice, klines, tickers); a stream asked on the other path is accepted by the
 *   venue and silently never delivered, so it is refused here instead;
 * - `user-data`: spot user data over the WebSocket API, `wss://ws-api.binance.com:443/ws-api/v3`
 *   (listenKeys were turned off on spot in 2026-02), channel `userData`;
 * - `futures-user-data`: USDⓈ-M user data on the routed `/private` path,
 *   `wss://fstream.binance.com/private/ws?listenKey=…` (a listenKey from REST before every
 *   socket), channel `userData`.
 */
export type BinanceMarket = 'spot' | 'futures-public' | 'futures-market' | 'user-data' | 'futures-user-data';

export const BINANCE_MARKETS: readonly BinanceMarket[] = [
  'spot',
  'futures-public',
  'futures-market',
  'user-data',
  'futures-user-data',
];

/** The markets whose one channel is the account's `userData` (the rest carry market streams). */
export function isBinanceUserDataMarket(market: BinanceMarket): boolean {
  return market === 'user-data' || market === 'futures-user-data';
}

/** The one channel of a `user-data` connection: the account's events (`executionReport`, `outboundAccountPosition`, …). */
export const BINANCE_USER_DATA_CHANNEL = 'userData';

/** The path each market's socket opens (appended to a bare origin). */
export const BINANCE_PATHS: Readonly<Record<BinanceMarket, string>> = {
  spot: '/stream',
  'futures-public': '/public/stream',
  'futures-market': '/market/stream',
  'user-data': '/ws-api/v3',
  // Raw form: the events themselves, no `{stream, data}` wrapper (the one stream is the account's).
  'futures-user-data': '/private/ws',
};

// Lower-case symbol, `@`, the kind, an optional `@` suffix (speed, `1s`): the docs' stream names.
const STREAM = /^[a-z0-9]{1,30}@[A-Za-z0-9_]{1,30}(?:@[a-z0-9]{1,10})?$/;
const DIFF_DEPTH = /^[a-z0-9]{1,30}@depth(?:@\d{1,4}ms)?$/;

/** USDⓈ-M kinds by routed path (2026 mapping); a kind not listed passes on either. */
const FUTURES_TIER: Readonly<Record<string, 'futures-public' | 'futures-market'>> = {
  depth: 'futures-public',
  bookTicker: 'futures-public',
  trade: 'futures-public',
  aggTrade: 'futures-market',
  markPrice: 'futures-market',
  ticker: 'futures-market',
  miniTicker: 'futures-market',
  forceOrder: 'futures-market',
};

/** Diff depth streams (`<symbol>@depth`, `<symbol>@depth@100ms`): a REST snapshot stitched to a chain of diffs. */
export function isBinanceDiffDepth(stream: string): boolean {
  return DIFF_DEPTH.test(stream);
}

/** The upper-case symbol of a stream (`btcusdt@trade` → `BTCUSDT`), as REST and payloads write it. */
export function binanceSymbolOf(stream: string): string {
  const at = stream.indexOf('@');
  return (at === -1 ? stream : stream.slice(0, at)).toUpperCase();
}

/** Why a channel cannot go on a socket of `market` (undefined: it can). Never throws, no network. */
export function binanceStreamProblem(stream: string, market: BinanceMarket): string | undefined {
  if (isBinanceUserDataMarket(market)) {
    return stream === BINANCE_USER_DATA_CHANNEL ? undefined : `a ${market} connection carries only ${BINANCE_USER_DATA_CHANNEL}`;
  }
  if (stream === BINANCE_USER_DATA_CHANNEL) {
    return 'user data needs a user-data connection (spot: the WebSocket API; USDⓈ-M: futures-user-data)';
  }
  if (!STREAM.test(stream)) return 'not a stream name (<symbol lower case>@<kind>[@<speed>])';
  if (market === 'spot') return undefined;
  const kind = (stream.split('@')[1] ?? '').replace(/^(kline|continuousKline)_.*$/, 'ticker').replace(/^depth\d+$/, 'depth');
  const tier = FUTURES_TIER[kind];
  if (tier !== undefined && tier !== market) {
    return `${kind} is delivered on the ${tier === 'futures-public' ? '/public' : '/market'} path, not this one`;
  }
  return undefined;
}

/** Stream names in the docs' spelling (symbols lower-cased). */
export const binanceStream = {
  trade: (symbol: string): string => `${symbol.toLowerCase()}@trade`,
  aggTrade: (symbol: string): string => `${symbol.toLowerCase()}@aggTrade`,
  bookTicker: (symbol: string): string => `${symbol.toLowerCase()}@bookTicker`,
  ticker: (symbol: string): string => `${symbol.toLowerCase()}@ticker`,
  markPrice: (symbol: string, everySecond = false): string => `${symbol.toLowerCase()}@markPrice${everySecond ? '@1s' : ''}`,
  /** Diff depth: a book the adapter stitches to a REST snapshot (`speedMs`: spot 100 or 1000; USDⓈ-M 100, 250, 500). */
  depth: (symbol: string, speedMs?: number): string =>
    `${symbol.toLowerCase()}@depth${speedMs === undefined || speedMs === 1000 || speedMs === 250 ? '' : `@${speedMs}ms`}`,
  userData: (): string => BINANCE_USER_DATA_CHANNEL,
};

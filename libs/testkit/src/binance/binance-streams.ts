/** Spot (`stream.binance.com`) or USDⓈ-M futures (`fstream.binance.com`). */
export type BinanceProduct = 'spot' | 'usdm';
/** The USDⓈ-M routed paths for market data (2026): `/public` (high frequency) and `/market` (regular). */
export type UsdmTier = 'public' | 'market';

export type BinanceStreamKind = 'trade' | 'aggTrade' | 'bookTicker' | 'ticker' | 'depth' | 'markPrice';

export interface ParsedStream {
  readonly product: BinanceProduct;
  readonly kind: BinanceStreamKind;
  /** Upper-case symbol as payloads carry it (`BTCUSDT`); stream names are lower case. */
  readonly symbol: string;
  /** Update speed of diff depth and mark price streams (ms). */
  readonly speedMs?: number;
  /** USDⓈ-M only: the routed path that delivers this stream. */
  readonly tier?: UsdmTier;
}

/** Streams this exchange serves, by product; the USD-M ones carry their routed tier (Binance's 2026 mapping). */
const SPOT_KINDS: Readonly<Record<string, { kind: BinanceStreamKind; speeds?: readonly number[]; defaultSpeed?: number }>> = {
  trade: { kind: 'trade' },
  bookTicker: { kind: 'bookTicker' },
  ticker: { kind: 'ticker' },
  depth: { kind: 'depth', speeds: [100], defaultSpeed: 1000 },
};

const USDM_KINDS: Readonly<
  Record<string, { kind: BinanceStreamKind; tier: UsdmTier; speeds?: readonly number[]; defaultSpeed?: number }>
> = {
  depth: { kind: 'depth', tier: 'public', speeds: [100, 500], defaultSpeed: 250 },
  bookTicker: { kind: 'bookTicker', tier: 'public' },
  trade: { kind: 'trade', tier: 'public' },
  aggTrade: { kind: 'aggTrade', tier: 'market' },
  markPrice: { kind: 'markPrice', tier: 'market', speeds: [1000], defaultSpeed: 3000 },
};

/**
 * Parses `<symbol>@<kind>[@<speed>]` (symbols lower case, as the docs require); undefined for a
 * stream this exchange does not serve.
 */
export function parseStream(name: string, product: BinanceProduct, symbols: readonly string[]): ParsedStream | undefined {
  const [lowerSymbol, kindName, speed, ...rest] = name.split('@');
  if (lowerSymbol === undefined || kindName === undefined || rest.length > 0) return undefined;
  if (lowerSymbol !== lowerSymbol.toLowerCase()) return undefined;
  const symbol = lowerSymbol.toUpperCase();
  if (!symbols.includes(symbol)) return undefined;
  const entry = product === 'spot' ? SPOT_KINDS[kindName] : USDM_KINDS[kindName];
  if (entry === undefined) return undefined;
  let speedMs = entry.defaultSpeed;
  if (speed !== undefined) {
    const match = /^(\d+)(ms|s)$/.exec(speed);
    const value = match === null ? NaN : Number(match[1]) * (match[2] === 's' ? 1000 : 1);
    if (entry.speeds === undefined || !entry.speeds.includes(value)) return undefined;
    speedMs = value;
  }
  const tier = 'tier' in entry ? (entry.tier as UsdmTier) : undefined;
  return {
    product,
    kind: entry.kind,
    symbol,
    ...(speedMs === undefined ? {} : { speedMs }),
    ...(tier === undefined ? {} : { tier }),
  };
}

/** The book stream a REST snapshot belongs to: `btcusdt@depth` for every speed of one symbol. */
export function bookKey(product: BinanceProduct, symbol: string): string {
  return `${product}:${symbol}`;
}

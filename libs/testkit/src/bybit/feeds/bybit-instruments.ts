import { startPriceOf, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { BybitPublicMarket } from '../bybit-topics.js';

const QUOTES = ['USDT', 'USDC', 'BTC'];

/** `BTCUSDT` → `BTC`. */
export function baseAssetOf(symbol: string): string {
  const quote = QUOTES.find((q) => symbol.endsWith(q) && symbol.length > q.length);
  return quote === undefined ? symbol : symbol.slice(0, -quote.length);
}

/** Synthetic instrument facts in Bybit's style: prices and sizes are sent as decimal strings. */
export function bybitProfile(symbol: string, market: BybitPublicMarket | 'private'): InstrumentProfile {
  const base = baseAssetOf(symbol);
  const startPrice = startPriceOf(base);
  const tickSize = market === 'spot' ? 0.01 : startPrice >= 10_000 ? 0.1 : 0.01;
  return {
    name: symbol,
    currency: base,
    perpetual: market !== 'spot',
    startPrice,
    tickSize,
    amountStep: startPrice >= 10_000 ? 0.001 : startPrice >= 1_000 ? 0.01 : 0.1,
  };
}

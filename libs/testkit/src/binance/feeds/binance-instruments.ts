import { startPriceOf, toDecimalText, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { BinanceProduct } from '../binance-streams.js';

const QUOTES = ['USDT', 'USDC', 'FDUSD', 'BTC'];

export function baseAssetOf(symbol: string): string {
  const quote = QUOTES.find((q) => symbol.endsWith(q) && symbol.length > q.length);
  return quote === undefined ? symbol : symbol.slice(0, -quote.length);
}

export function quoteAssetOf(symbol: string): string {
  return QUOTES.find((q) => symbol.endsWith(q) && symbol.length > q.length) ?? 'USDT';
}

/** Synthetic instrument facts in Binance's style. */
export function binanceProfile(symbol: string, product: BinanceProduct): InstrumentProfile {
  const base = baseAssetOf(symbol);
  const startPrice = startPriceOf(base);
  return {
    name: symbol,
    currency: base,
    perpetual: product === 'usdm',
    startPrice,
    tickSize: product === 'spot' ? 0.01 : startPrice >= 10_000 ? 0.1 : 0.01,
    amountStep: product === 'spot' ? 0.00001 : startPrice >= 10_000 ? 0.001 : 0.01,
  };
}

/** Spot writes every decimal with 8 places ("4.00000200"); futures with the instrument's step. */
export function decimalWriter(product: BinanceProduct, step: number): (value: number) => string {
  return product === 'spot' ? (value) => value.toFixed(8) : (value) => toDecimalText(value, step);
}

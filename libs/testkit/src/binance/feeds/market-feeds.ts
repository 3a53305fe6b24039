import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import { PriceWalk, roundTo, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { Random } from '../../shared/feeds/prng.js';
import type { BinanceProduct } from '../binance-streams.js';
import { decimalWriter } from './binance-instruments.js';

/** `<symbol>@trade`: spot `{e, E, s, t, p, q, T, m, M}`; USDⓈ-M `{e, E, T, s, t, p, q, X, m}`. */
export class BinanceTradeFeed implements FeedStream {
  private readonly walk: PriceWalk;
  private readonly price: (value: number) => string;
  private readonly qty: (value: number) => string;
  private tradeId: number;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly product: BinanceProduct,
    private readonly random: Random,
  ) {
    this.walk = new PriceWalk(profile, random);
    this.price = decimalWriter(product, profile.tickSize);
    this.qty = decimalWriter(product, profile.amountStep);
    this.tradeId = 100_000_000 + Math.floor(random() * 100_000_000);
  }

  next(now: number): Record<string, unknown> {
    this.tradeId += 1;
    const p = this.price(this.walk.step());
    const q = this.qty(this.walk.amount(200));
    const m = this.random() < 0.5;
    const s = this.profile.name;
    if (this.product === 'spot') return { e: 'trade', E: now, s, t: this.tradeId, p, q, T: now - 1, m, M: true };
    return { e: 'trade', E: now, T: now - 1, s, t: this.tradeId, p, q, X: 'MARKET', m };
  }
}

/** `<symbol>@aggTrade` (USDⓈ-M): `{e, E, a, s, p, q, f, l, T, m}`. */
export class BinanceAggTradeFeed implements FeedStream {
  private readonly walk: PriceWalk;
  private readonly price: (value: number) => string;
  private readonly qty: (value: number) => string;
  private aggId: number;
  private tradeId: number;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly random: Random,
  ) {
    this.walk = new PriceWalk(profile, random);
    this.price = decimalWriter('usdm', profile.tickSize);
    this.qty = decimalWriter('usdm', profile.amountStep);
    this.aggId = 10_000_000 + Math.floor(random() * 10_000_000);
    this.tradeId = 100_000_000 + Math.floor(random() * 100_000_000);
  }

  next(now: number): Record<string, unknown> {
    this.aggId += 1;
    const fills = 1 + Math.floor(this.random() * 3);
    const first = this.tradeId + 1;
    this.tradeId += fills;
    return {
      e: 'aggTrade',
      E: now,
      a: this.aggId,
      s: this.profile.name,
      p: this.price(this.walk.step()),
      q: this.qty(this.walk.amount(200)),
      f: first,
      l: this.tradeId,
      T: now - 1,
      m: this.random() < 0.5,
    };
  }
}

/** `<symbol>@ticker` (spot): the 24 h rolling statistics event `24hrTicker`. */
export class BinanceTickerFeed implements FeedStream {
  private readonly walk: PriceWalk;
  private readonly open: number;
  private high: number;
  private low: number;
  private volume = 0;
  private quoteVolume = 0;
  private trades = 0;
  private readonly firstTradeId: number;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly random: Random,
  ) {
    this.walk = new PriceWalk(profile, random);
    this.open = this.walk.price();
    this.high = this.open;
    this.low = this.open;
    this.firstTradeId = 100_000_000 + Math.floor(random() * 100_000_000);
  }

  next(now: number): Record<string, unknown> {
    const d = (value: number): string => value.toFixed(8);
    const last = this.walk.step();
    const lastQty = this.walk.amount(200);
    this.high = Math.max(this.high, last);
    this.low = Math.min(this.low, last);
    this.volume += lastQty;
    this.quoteVolume += lastQty * last;
    this.trades += 1 + Math.floor(this.random() * 10);
    const spread = this.profile.tickSize * (1 + Math.floor(this.random() * 3));
    return {
      e: '24hrTicker',
      E: now,
      s: this.profile.name,
      p: d(last - this.open),
      P: (((last - this.open) / this.open) * 100).toFixed(3),
      w: d(this.volume === 0 ? last : this.quoteVolume / this.volume),
      x: d(this.open),
      c: d(last),
      Q: d(lastQty),
      b: d(roundTo(last - spread, this.profile.tickSize)),
      B: d(this.walk.amount()),
      a: d(roundTo(last + spread, this.profile.tickSize)),
      A: d(this.walk.amount()),
      o: d(this.open),
      h: d(this.high),
      l: d(this.low),
      v: d(this.volume),
      q: d(this.quoteVolume),
      O: now - 86_400_000,
      C: now,
      F: this.firstTradeId,
      L: this.firstTradeId + this.trades,
      n: this.trades + 1,
    };
  }
}

const FUNDING_INTERVAL_MS = 8 * 3600 * 1000;

/** `<symbol>@markPrice[@1s]` (USDⓈ-M): `{e: "markPriceUpdate", E, s, p, i, P, r, T}`. */
export class BinanceMarkPriceFeed implements FeedStream {
  private readonly walk: PriceWalk;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly random: Random,
  ) {
    this.walk = new PriceWalk(profile, random);
  }

  next(now: number): Record<string, unknown> {
    const mark = this.walk.step();
    const index = roundTo(mark * (1 + (this.random() - 0.5) * 0.0004), 0.00000001);
    return {
      e: 'markPriceUpdate',
      E: now,
      s: this.profile.name,
      p: mark.toFixed(8),
      i: index.toFixed(8),
      P: index.toFixed(8),
      r: ((mark - index) / index / 8).toFixed(8),
      T: Math.ceil((now + 1) / FUNDING_INTERVAL_MS) * FUNDING_INTERVAL_MS,
    };
  }
}

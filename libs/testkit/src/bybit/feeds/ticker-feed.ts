import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import { PriceWalk, roundTo, toDecimalText, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { Random } from '../../shared/feeds/prng.js';
import type { BybitPublicMarket } from '../bybit-topics.js';

type TickDirection = 'PlusTick' | 'ZeroPlusTick' | 'MinusTick' | 'ZeroMinusTick';

const FUNDING_INTERVAL_MS = 8 * 3600 * 1000;

/**
 * `tickers.{symbol}`. Spot: every message a `snapshot` of the spot fields. Linear: a `snapshot` to
 * each new subscriber, then `delta`s carrying only the fields that changed (docs: "if a response
 * param is not found in the message, then its value has not changed").
 */
export class BybitTickerFeed implements FeedStream {
  private readonly walk: PriceWalk;
  private readonly open: number;
  private readonly state: Record<string, string> = {};
  private high: number;
  private low: number;
  private last: number;
  private volume = 0;
  private turnover = 0;
  private openInterest: number;
  private crossSeq: number;
  private lastNonZero: 'PlusTick' | 'MinusTick' = 'PlusTick';

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly market: BybitPublicMarket,
    private readonly random: Random,
  ) {
    this.walk = new PriceWalk(profile, random);
    this.open = this.walk.price();
    this.high = this.open;
    this.low = this.open;
    this.last = this.open;
    this.openInterest = roundTo(10_000 * (1 + random()), profile.amountStep);
    this.crossSeq = 1_000_000_000 + Math.floor(random() * 1_000_000_000);
    this.advance(0);
  }

  initial(now: number): Record<string, unknown> | undefined {
    if (this.market === 'spot') return undefined;
    return { type: 'snapshot', data: { ...this.state }, cs: this.crossSeq, ts: now };
  }

  next(now: number): Record<string, unknown> {
    const before = { ...this.state };
    this.advance(now);
    this.crossSeq += 1 + Math.floor(this.random() * 10);
    if (this.market === 'spot') return { ts: now, type: 'snapshot', cs: this.crossSeq, data: { ...this.state } };
    const changed: Record<string, string> = { symbol: this.profile.name };
    for (const [key, value] of Object.entries(this.state)) if (before[key] !== value) changed[key] = value;
    return { type: 'delta', data: changed, cs: this.crossSeq, ts: now };
  }

  private advance(now: number): void {
    const { tickSize, amountStep } = this.profile;
    const previous = this.last;
    this.last = this.walk.step();
    const direction = this.tickDirection(previous);
    this.high = Math.max(this.high, this.last);
    this.low = Math.min(this.low, this.last);
    const qty = this.walk.amount(20);
    this.volume = roundTo(this.volume + qty, amountStep);
    this.turnover = roundTo(this.turnover + qty * this.last, 0.0001);
    const price = (value: number): string => toDecimalText(value, tickSize);
    const size = (value: number): string => toDecimalText(value, amountStep);
    const pcnt = ((this.last - this.open) / this.open).toFixed(6);
    const common = {
      symbol: this.profile.name,
      lastPrice: price(this.last),
      highPrice24h: price(this.high),
      lowPrice24h: price(this.low),
      prevPrice24h: price(this.open),
      volume24h: size(this.volume),
      turnover24h: this.turnover.toFixed(4),
      price24hPcnt: pcnt,
    };
    if (this.market === 'spot') {
      Object.assign(this.state, common, { usdIndexPrice: (this.last * (1 + (this.random() - 0.5) * 0.0002)).toFixed(4) });
      return;
    }
    const spreadTicks = 1 + Math.floor(this.random() * 3);
    const mark = roundTo(this.last + (this.random() - 0.5) * tickSize * 4, tickSize);
    const index = roundTo(this.last * (1 + (this.random() - 0.5) * 0.0004), tickSize);
    this.openInterest = Math.max(0, roundTo(this.openInterest + (this.random() - 0.5) * 10, amountStep));
    const funding = ((mark - index) / index / 8).toFixed(6);
    Object.assign(this.state, common, {
      tickDirection: direction,
      prevPrice1h: price(this.open),
      markPrice: price(mark),
      indexPrice: price(index),
      openInterest: size(this.openInterest),
      openInterestValue: (this.openInterest * mark).toFixed(2),
      fundingIntervalHour: '8',
      fundingCap: '0.005',
      nextFundingTime: String(Math.ceil((now + 1) / FUNDING_INTERVAL_MS) * FUNDING_INTERVAL_MS),
      fundingRate: funding,
      bid1Price: price(this.last - tickSize * spreadTicks),
      bid1Size: size(this.walk.amount()),
      ask1Price: price(this.last + tickSize * spreadTicks),
      ask1Size: size(this.walk.amount()),
    });
  }

  private tickDirection(previous: number): TickDirection {
    if (this.last > previous) return (this.lastNonZero = 'PlusTick');
    if (this.last < previous) return (this.lastNonZero = 'MinusTick');
    return this.lastNonZero === 'PlusTick' ? 'ZeroPlusTick' : 'ZeroMinusTick';
  }
}

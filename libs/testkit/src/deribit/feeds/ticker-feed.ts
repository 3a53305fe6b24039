import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import { PriceWalk, roundTo, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { Random } from '../../shared/feeds/prng.js';

/** `ticker.{instrument}.{interval}` with every field the published schema requires. */
export class TickerFeed implements FeedStream {
  private readonly walk: PriceWalk;
  private readonly open: number;
  private high: number;
  private low: number;
  private volume = 0;
  private openInterest: number;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly random: Random,
  ) {
    this.walk = new PriceWalk(profile, random);
    this.open = this.walk.price();
    this.high = this.open;
    this.low = this.open;
    this.openInterest = roundTo(profile.startPrice * 10 * (1 + random()), profile.amountStep);
  }

  next(now: number): Record<string, unknown> {
    const { tickSize } = this.profile;
    const last = this.walk.step();
    this.high = Math.max(this.high, last);
    this.low = Math.min(this.low, last);
    this.volume = roundTo(this.volume + this.random() * 5, 0.0001);
    this.openInterest = Math.max(0, this.openInterest + roundTo((this.random() - 0.5) * 1000, this.profile.amountStep));
    const spreadTicks = 1 + Math.floor(this.random() * 3);
    const bestBid = roundTo(last - tickSize * spreadTicks, tickSize);
    const bestAsk = roundTo(last + tickSize * spreadTicks, tickSize);
    const index = roundTo(last * (1 + (this.random() - 0.5) * 0.0004), 0.01);
    const mark = roundTo((bestBid + bestAsk) / 2, 0.01);
    const data: Record<string, unknown> = {
      timestamp: now,
      stats: {
        volume_usd: roundTo(this.volume * last, 0.01),
        volume: this.volume,
        price_change: roundTo(((last - this.open) / this.open) * 100, 0.0001),
        low: this.low,
        high: this.high,
      },
      state: 'open',
      settlement_price: this.open,
      open_interest: this.openInterest,
      min_price: roundTo(mark * 0.985, tickSize),
      max_price: roundTo(mark * 1.015, tickSize),
      mark_price: mark,
      last_price: last,
      instrument_name: this.profile.name,
      index_price: index,
      estimated_delivery_price: index,
      best_bid_price: bestBid,
      best_bid_amount: this.walk.amount(),
      best_ask_price: bestAsk,
      best_ask_amount: this.walk.amount(),
    };
    if (this.profile.perpetual) {
      const funding = roundTo((mark - index) / index / 8, 1e-8);
      data.interest_value = roundTo(funding * 8 * 24 * 365, 1e-8);
      data.current_funding = funding;
      data.funding_8h = roundTo(funding * 8, 1e-8);
    }
    return data;
  }
}

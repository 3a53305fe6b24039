import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import { PriceWalk, roundTo, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { Random } from '../../shared/feeds/prng.js';

/** Deribit tick_direction: 0 plus tick, 1 zero-plus tick, 2 minus tick, 3 zero-minus tick. */
function tickDirection(price: number, previous: number, lastNonZero: 0 | 2): 0 | 1 | 2 | 3 {
  if (price > previous) return 0;
  if (price < previous) return 2;
  return lastNonZero === 0 ? 1 : 3;
}

/** `trades.{instrument}.{interval}`: each notification is an array of 1–3 trades. */
export class TradesFeed implements FeedStream {
  private readonly walk: PriceWalk;
  private tradeSeq: number;
  private tradeId: number;
  private previous: number;
  private lastNonZero: 0 | 2 = 0;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly random: Random,
  ) {
    this.walk = new PriceWalk(profile, random);
    this.tradeSeq = 100_000 + Math.floor(random() * 100_000);
    this.tradeId = 200_000_000 + Math.floor(random() * 1_000_000);
    this.previous = this.walk.price();
  }

  next(now: number): Array<Record<string, unknown>> {
    const count = 1 + Math.floor(this.random() * 3);
    const trades: Array<Record<string, unknown>> = [];
    for (let i = 0; i < count; i += 1) {
      const price = this.walk.step();
      const direction = tickDirection(price, this.previous, this.lastNonZero);
      if (direction === 0 || direction === 2) this.lastNonZero = direction;
      this.previous = price;
      this.tradeSeq += 1;
      this.tradeId += 1;
      const amount = this.walk.amount(20);
      trades.push({
        trade_seq: this.tradeSeq,
        trade_id: String(this.tradeId),
        timestamp: now,
        tick_direction: direction,
        price,
        mark_price: roundTo(price * (1 + (this.random() - 0.5) * 0.0002), 0.01),
        instrument_name: this.profile.name,
        index_price: roundTo(price * (1 + (this.random() - 0.5) * 0.0004), 0.01),
        direction: this.random() < 0.5 ? 'buy' : 'sell',
        amount,
        contracts: roundTo(amount / this.profile.amountStep, 1),
      });
    }
    return trades;
  }
}

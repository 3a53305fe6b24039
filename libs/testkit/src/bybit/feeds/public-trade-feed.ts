import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import { PriceWalk, toDecimalText, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { Random } from '../../shared/feeds/prng.js';
import { randomUuid } from '../../shared/feeds/random-ids.js';
import type { BybitPublicMarket } from '../bybit-topics.js';

/** `publicTrade.{symbol}`: a `snapshot` message with 1–3 trades, oldest first; `L` only on linear. */
export class BybitPublicTradeFeed implements FeedStream {
  private readonly walk: PriceWalk;
  private previous: number;
  private lastNonZero: 'PlusTick' | 'MinusTick' = 'PlusTick';
  private seq: number;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly market: BybitPublicMarket,
    private readonly random: Random,
  ) {
    this.walk = new PriceWalk(profile, random);
    this.previous = this.walk.price();
    this.seq = 1_000_000_000 + Math.floor(random() * 1_000_000_000);
  }

  next(now: number): Record<string, unknown> {
    const count = 1 + Math.floor(this.random() * 3);
    const data: Array<Record<string, unknown>> = [];
    for (let i = 0; i < count; i += 1) {
      const price = this.walk.step();
      this.seq += 1;
      const trade: Record<string, unknown> = {
        T: now - (count - 1 - i),
        s: this.profile.name,
        S: this.random() < 0.5 ? 'Buy' : 'Sell',
        v: toDecimalText(this.walk.amount(20), this.profile.amountStep),
        p: toDecimalText(price, this.profile.tickSize),
      };
      if (this.market === 'linear') trade.L = this.tickDirection(price);
      trade.i = randomUuid(this.random);
      trade.BT = false;
      trade.RPI = false;
      trade.seq = this.seq;
      this.previous = price;
      data.push(trade);
    }
    return { type: 'snapshot', ts: now, data };
  }

  private tickDirection(price: number): string {
    if (price > this.previous) return (this.lastNonZero = 'PlusTick');
    if (price < this.previous) return (this.lastNonZero = 'MinusTick');
    return this.lastNonZero === 'PlusTick' ? 'ZeroPlusTick' : 'ZeroMinusTick';
  }
}

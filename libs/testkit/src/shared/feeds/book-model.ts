import { roundTo, type InstrumentProfile } from './instrument-profile.js';
import type { Random } from './prng.js';

export type BookAction = 'new' | 'change' | 'delete';
/** One level change: `delete` carries amount 0 (the way Bybit and Binance write a removal). */
export type BookEntry = [BookAction, number, number];
export type BookSide = 'bid' | 'ask';

const START_LEVELS = 10;
const MAX_OFFSET_TICKS = 20;

/** An order book around a fixed centre that mutates one level at a time; every venue formats it its own way. */
export class BookModel {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  private readonly centre: number;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly random: Random,
  ) {
    this.centre = roundTo(profile.startPrice, profile.tickSize);
    for (let i = 1; i <= START_LEVELS; i += 1) {
      this.bids.set(this.priceAt('bid', i), this.amount());
      this.asks.set(this.priceAt('ask', i), this.amount());
    }
  }

  /** Applies 1–3 level updates and returns them per side (bids best first, asks best first). */
  mutate(): { bids: BookEntry[]; asks: BookEntry[] } {
    const bids: BookEntry[] = [];
    const asks: BookEntry[] = [];
    const updates = 1 + Math.floor(this.random() * 3);
    for (let i = 0; i < updates; i += 1) {
      const side = this.random() < 0.5 ? 'bid' : 'ask';
      const levels = side === 'bid' ? this.bids : this.asks;
      const out = side === 'bid' ? bids : asks;
      const price = this.priceAt(side, 1 + Math.floor(this.random() * MAX_OFFSET_TICKS));
      if (out.some((entry) => entry[1] === price)) continue;
      const roll = this.random();
      if (levels.has(price) && roll < 0.35 && levels.size > 3) {
        levels.delete(price);
        out.push(['delete', price, 0]);
      } else {
        const amount = this.amount();
        out.push([levels.has(price) ? 'change' : 'new', price, amount]);
        levels.set(price, amount);
      }
    }
    return { bids: sortEntries(bids, 'desc'), asks: sortEntries(asks, 'asc') };
  }

  /** `[price, amount]` levels, best first. */
  levels(side: BookSide): Array<[number, number]> {
    const entries = [...(side === 'bid' ? this.bids : this.asks).entries()];
    return entries.sort((a, b) => (side === 'bid' ? b[0] - a[0] : a[0] - b[0]));
  }

  private priceAt(side: BookSide, offsetTicks: number): number {
    const offset = this.profile.tickSize * offsetTicks;
    return roundTo(side === 'bid' ? this.centre - offset : this.centre + offset, this.profile.tickSize);
  }

  private amount(): number {
    return (1 + Math.floor(this.random() * 100)) * this.profile.amountStep;
  }
}

function sortEntries(entries: BookEntry[], order: 'asc' | 'desc'): BookEntry[] {
  return entries.sort((a, b) => (order === 'asc' ? a[1] - b[1] : b[1] - a[1]));
}

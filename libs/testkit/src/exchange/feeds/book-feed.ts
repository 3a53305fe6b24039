import type { FeedStream } from './feed-stream.js';
import { roundTo, type InstrumentProfile } from './instrument-profile.js';
import type { Random } from './prng.js';

export type BookAction = 'new' | 'change' | 'delete';
export type BookEntry = [BookAction, number, number];

const START_LEVELS = 10;
const MAX_OFFSET_TICKS = 20;

/** An order book around a fixed centre that mutates one level at a time. */
export class BookModel {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  changeId: number;
  private readonly centre: number;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly random: Random,
  ) {
    this.centre = roundTo(profile.startPrice, profile.tickSize);
    this.changeId = 1_000_000 + Math.floor(random() * 1_000_000);
    for (let i = 1; i <= START_LEVELS; i += 1) {
      this.bids.set(this.priceAt('bid', i), this.amount());
      this.asks.set(this.priceAt('ask', i), this.amount());
    }
  }

  /** Applies 1–3 level updates and returns them per side. */
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

  levels(side: 'bid' | 'ask'): Array<[number, number]> {
    const entries = [...(side === 'bid' ? this.bids : this.asks).entries()];
    return entries.sort((a, b) => (side === 'bid' ? b[0] - a[0] : a[0] - b[0]));
  }

  private priceAt(side: 'bid' | 'ask', offsetTicks: number): number {
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

/**
 * `book.{instrument}.{interval}`: every subscriber first gets a snapshot of the current book, then
 * the shared sequence of changes, each carrying `prev_change_id`.
 */
export class BookFeed implements FeedStream {
  private readonly model: BookModel;
  private skipNext = false;

  constructor(
    private readonly profile: InstrumentProfile,
    random: Random,
  ) {
    this.model = new BookModel(profile, random);
  }

  initial(now: number): Record<string, unknown> {
    return {
      type: 'snapshot',
      timestamp: now,
      instrument_name: this.profile.name,
      change_id: this.model.changeId,
      bids: this.model.levels('bid').map(([price, amount]): BookEntry => ['new', price, amount]),
      asks: this.model.levels('ask').map(([price, amount]): BookEntry => ['new', price, amount]),
    };
  }

  next(now: number): Record<string, unknown> {
    const prev = this.model.changeId;
    // A gap: the change numbered prev+1 "was sent" but never reached anyone.
    const reportedPrev = this.skipNext ? prev + 1 : prev;
    this.skipNext = false;
    const { bids, asks } = this.model.mutate();
    this.model.changeId = reportedPrev + 1;
    return {
      type: 'change',
      timestamp: now,
      prev_change_id: reportedPrev,
      instrument_name: this.profile.name,
      change_id: this.model.changeId,
      bids,
      asks,
    };
  }

  injectGap(): void {
    this.skipNext = true;
  }
}

/** `book.{instrument}.{group}.{depth}.{interval}`: whole top-of-book snapshots, `[price, amount]`. */
export class GroupedBookFeed implements FeedStream {
  private readonly model: BookModel;

  constructor(
    private readonly profile: InstrumentProfile,
    random: Random,
    private readonly depth: number,
  ) {
    this.model = new BookModel(profile, random);
  }

  next(now: number): Record<string, unknown> {
    this.model.mutate();
    this.model.changeId += 1;
    return {
      timestamp: now,
      instrument_name: this.profile.name,
      change_id: this.model.changeId,
      bids: this.model.levels('bid').slice(0, this.depth),
      asks: this.model.levels('ask').slice(0, this.depth),
    };
  }
}

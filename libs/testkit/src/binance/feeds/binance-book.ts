import { BookModel } from '../../shared/feeds/book-model.js';
import type { InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { Random } from '../../shared/feeds/prng.js';
import type { BinanceProduct } from '../binance-streams.js';
import { decimalWriter } from './binance-instruments.js';

interface LevelChange {
  readonly id: number;
  readonly side: 'bid' | 'ask';
  readonly price: number;
  readonly qty: number;
}

export type Level = [string, string];

/** Changes kept for diff streams to read back; a stream that falls further behind sees a gap. */
const LOG_LIMIT = 50_000;

/**
 * One order book per product and symbol, shared by its diff streams, its book ticker and the REST
 * depth snapshot, so all of them agree: every level change takes the next update id, a diff event
 * covers the changes since its stream's previous event (`U`..`u`), and the snapshot's
 * `lastUpdateId` is the id of the last change applied.
 */
export class BinanceBook {
  private readonly model: BookModel;
  private readonly log: LevelChange[] = [];
  private readonly price: (value: number) => string;
  private readonly qty: (value: number) => string;
  updateId: number;

  constructor(
    readonly profile: InstrumentProfile,
    readonly product: BinanceProduct,
    random: Random,
  ) {
    this.updateId = 1_000_000_000 + Math.floor(random() * 1_000_000_000);
    this.model = new BookModel(profile, random);
    this.price = decimalWriter(product, profile.tickSize);
    this.qty = decimalWriter(product, profile.amountStep);
  }

  /** One matching-engine step: 1–3 level changes, each with its own update id. */
  step(): void {
    const { bids, asks } = this.model.mutate();
    for (const [side, entries] of [
      ['bid', bids],
      ['ask', asks],
    ] as const) {
      for (const [, price, qty] of entries) {
        this.updateId += 1;
        this.log.push({ id: this.updateId, side, price, qty });
      }
    }
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }

  /** The changes after `afterId` up to now, the latest quantity per price level (0 = remove). */
  changesSince(afterId: number): { first: number; last: number; bids: Level[]; asks: Level[] } {
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    for (const change of this.log) {
      if (change.id <= afterId) continue;
      (change.side === 'bid' ? bids : asks).set(change.price, change.qty);
    }
    const write = (levels: Map<number, number>, order: 1 | -1): Level[] =>
      [...levels.entries()].sort((a, b) => order * (a[0] - b[0])).map(([p, q]) => [this.price(p), this.qty(q)]);
    return { first: afterId + 1, last: this.updateId, bids: write(bids, -1), asks: write(asks, 1) };
  }

  /** Best bid and ask `[price, qty]`. */
  best(): { bid: Level; ask: Level } {
    const [bid] = this.model.levels('bid');
    const [ask] = this.model.levels('ask');
    return {
      bid: bid === undefined ? ['0', '0'] : [this.price(bid[0]), this.qty(bid[1])],
      ask: ask === undefined ? ['0', '0'] : [this.price(ask[0]), this.qty(ask[1])],
    };
  }

  /** The REST depth snapshot: `lastUpdateId` and up to `limit` levels a side, best first. */
  snapshot(limit: number): { lastUpdateId: number; bids: Level[]; asks: Level[] } {
    const side = (levels: Array<[number, number]>): Level[] =>
      levels.slice(0, limit).map(([p, q]) => [this.price(p), this.qty(q)]);
    return { lastUpdateId: this.updateId, bids: side(this.model.levels('bid')), asks: side(this.model.levels('ask')) };
  }
}

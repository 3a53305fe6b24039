import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import type { BinanceBook } from './binance-book.js';

/**
 * `<symbol>@depth[@speed]`: diff events over the shared book. Spot: `{e, E, s, U, u, b, a}`, each
 * event's `U` one past the previous event's `u`. USDⓈ-M adds `T` and `pu` (the previous event's
 * `u`). A gap (fault) loses one event: the next spot `U` jumps, the next futures `pu` names an event
 * nobody received.
 */
export class BinanceDepthFeed implements FeedStream {
  private cursor: number;
  private lastSentU: number;
  private dropNext = false;

  constructor(private readonly book: BinanceBook) {
    this.cursor = book.updateId;
    this.lastSentU = book.updateId;
  }

  next(now: number): Record<string, unknown> {
    if (this.dropNext) {
      this.dropNext = false;
      this.event(now);
    }
    return this.event(now);
  }

  injectGap(): void {
    this.dropNext = true;
  }

  private event(now: number): Record<string, unknown> {
    this.book.step();
    const { first, last, bids, asks } = this.book.changesSince(this.cursor);
    this.cursor = last;
    const pu = this.lastSentU;
    this.lastSentU = last;
    const symbol = this.book.profile.name;
    if (this.book.product === 'spot') return { e: 'depthUpdate', E: now, s: symbol, U: first, u: last, b: bids, a: asks };
    return { e: 'depthUpdate', E: now, T: now - 1, s: symbol, U: first, u: last, pu, b: bids, a: asks };
  }
}

/** `<symbol>@bookTicker`: the best bid and ask after each book step, with the book's update id. */
export class BinanceBookTickerFeed implements FeedStream {
  constructor(private readonly book: BinanceBook) {}

  next(now: number): Record<string, unknown> {
    this.book.step();
    const { bid, ask } = this.book.best();
    const fields = { u: this.book.updateId, s: this.book.profile.name, b: bid[0], B: bid[1], a: ask[0], A: ask[1] };
    if (this.book.product === 'spot') return fields;
    return { e: 'bookTicker', u: fields.u, E: now, T: now - 1, s: fields.s, b: fields.b, B: fields.B, a: fields.a, A: fields.A };
  }
}

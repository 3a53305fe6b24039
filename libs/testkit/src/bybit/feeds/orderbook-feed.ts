import { BookModel, type BookEntry } from '../../shared/feeds/book-model.js';
import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import { toDecimalText, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { Random } from '../../shared/feeds/prng.js';
import type { BybitPublicMarket } from '../bybit-topics.js';

type Level = [string, string];

/**
 * `orderbook.{depth}.{symbol}`: a snapshot to each new subscriber, then deltas (`size "0"` deletes a
 * level), each with the next update id `u` and a growing cross sequence `seq`. Level-1 books send
 * snapshots only. A restart (fault) sends a snapshot with `u = 1`, as Bybit does after a service
 * restart; a gap (fault) skips one `u`.
 */
export class BybitOrderbookFeed implements FeedStream {
  private readonly model: BookModel;
  private updateId: number;
  private seq: number;
  private skipNext = false;
  private restartNext = false;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly market: BybitPublicMarket,
    private readonly depth: number,
    private readonly random: Random,
  ) {
    this.updateId = 1_000_000 + Math.floor(random() * 1_000_000);
    this.seq = 10_000_000_000 + Math.floor(random() * 1_000_000_000);
    this.model = new BookModel(profile, random);
  }

  /** The update id of the last message (what a resubscriber's snapshot carries). */
  get lastUpdateId(): number {
    return this.updateId;
  }

  initial(now: number): Record<string, unknown> {
    return this.snapshot(now);
  }

  next(now: number): Record<string, unknown> {
    const { bids, asks } = this.model.mutate();
    this.seq += 1 + Math.floor(this.random() * 5);
    if (this.restartNext) {
      this.restartNext = false;
      this.skipNext = false;
      this.updateId = 1;
      return this.snapshot(now);
    }
    this.updateId += this.skipNext ? 2 : 1;
    this.skipNext = false;
    if (this.depth === 1) return this.snapshot(now);
    return this.message('delta', now, { b: bids.map((e) => this.level(e)), a: asks.map((e) => this.level(e)) });
  }

  /** Level 1: the same book again with the same `u`, as Bybit re-sends it after 3 s without change. */
  resnapshot(now: number): Record<string, unknown> {
    return this.snapshot(now);
  }

  injectGap(): void {
    this.skipNext = true;
  }

  injectRestart(): void {
    this.restartNext = true;
  }

  private snapshot(now: number): Record<string, unknown> {
    const side = (levels: Array<[number, number]>): Level[] =>
      levels.slice(0, this.depth).map(([price, size]) => [this.price(price), this.size(size)]);
    return this.message('snapshot', now, { b: side(this.model.levels('bid')), a: side(this.model.levels('ask')) });
  }

  /**
   * Docs note: spot (all levels) and level-1 futures books put `ts` before `type`; other futures
   * books put `type` first. Kept, since a client parsing by position would notice.
   */
  private message(type: 'snapshot' | 'delta', now: number, sides: { b: Level[]; a: Level[] }): Record<string, unknown> {
    const data = { s: this.profile.name, b: sides.b, a: sides.a, u: this.updateId, seq: this.seq };
    const cts = now - 2;
    return this.market === 'spot' || this.depth === 1 ? { ts: now, type, data, cts } : { type, ts: now, data, cts };
  }

  private level([, price, size]: BookEntry): Level {
    return [this.price(price), this.size(size)];
  }

  private price(value: number): string {
    return toDecimalText(value, this.profile.tickSize);
  }

  private size(value: number): string {
    return value === 0 ? '0' : toDecimalText(value, this.profile.amountStep);
  }
}

import { BookModel, type BookEntry } from '../../shared/feeds/book-model.js';
import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import type { InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { Random } from '../../shared/feeds/prng.js';

function firstChangeId(random: Random): number {
  return 1_000_000 + Math.floor(random() * 1_000_000);
}

/**
 * `book.{instrument}.{interval}`: every subscriber first gets a snapshot of the current book, then
 * the shared sequence of changes, each carrying `prev_change_id`.
 */
export class BookFeed implements FeedStream {
  private readonly model: BookModel;
  private changeId: number;
  private skipNext = false;

  constructor(
    private readonly profile: InstrumentProfile,
    random: Random,
  ) {
    this.changeId = firstChangeId(random);
    this.model = new BookModel(profile, random);
  }

  initial(now: number): Record<string, unknown> {
    return {
      type: 'snapshot',
      timestamp: now,
      instrument_name: this.profile.name,
      change_id: this.changeId,
      bids: this.model.levels('bid').map(([price, amount]): BookEntry => ['new', price, amount]),
      asks: this.model.levels('ask').map(([price, amount]): BookEntry => ['new', price, amount]),
    };
  }

  next(now: number): Record<string, unknown> {
    const prev = this.changeId;
    // A gap: the change numbered prev+1 "was sent" but never reached anyone.
    const reportedPrev = this.skipNext ? prev + 1 : prev;
    this.skipNext = false;
    const { bids, asks } = this.model.mutate();
    this.changeId = reportedPrev + 1;
    return {
      type: 'change',
      timestamp: now,
      prev_change_id: reportedPrev,
      instrument_name: this.profile.name,
      change_id: this.changeId,
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
  private changeId: number;

  constructor(
    private readonly profile: InstrumentProfile,
    random: Random,
    private readonly depth: number,
  ) {
    this.changeId = firstChangeId(random);
    this.model = new BookModel(profile, random);
  }

  next(now: number): Record<string, unknown> {
    this.model.mutate();
    this.changeId += 1;
    return {
      timestamp: now,
      instrument_name: this.profile.name,
      change_id: this.changeId,
      bids: this.model.levels('bid').slice(0, this.depth),
      asks: this.model.levels('ask').slice(0, this.depth),
    };
  }
}

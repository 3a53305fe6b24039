/** One generated sequence of notification data for one channel (and, for private channels, one account). */
export interface FeedStream {
  /** Data of the next notification; advances the stream. */
  next(now: number): unknown;
  /** Data a new subscriber must get first (a book snapshot), else undefined. */
  initial?(now: number): unknown;
  /** The next update skips a sequence number (book channels only). */
  injectGap?(): void;
  /** The next update is a venue-restart snapshot (Bybit `u == 1`; book channels only). */
  injectRestart?(): void;
  /** Open orders this stream has produced (what cancel-on-disconnect would cancel). */
  openOrders?(): number;
}

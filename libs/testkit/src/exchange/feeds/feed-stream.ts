/** One generated sequence of notification data for one channel (and, for user.*, one account). */
export interface FeedStream {
  /** Data of the next notification; advances the stream. */
  next(now: number): unknown;
  /** Data a new subscriber must get first (a book snapshot), else undefined. */
  initial?(now: number): unknown;
  /** The next change skips a change_id (book channels only). */
  injectGap?(): void;
  /** Open orders this stream has produced (what cancel-on-disconnect would cancel). */
  openOrders?(): number;
}

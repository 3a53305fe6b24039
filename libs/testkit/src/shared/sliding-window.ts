/**
 * Counts events inside a rolling window, for limits stated as "N per period": Binance's incoming
 * messages per second, connection attempts per 5 minutes on both Bybit and Binance.
 */
export class SlidingWindow {
  private readonly stamps: number[] = [];
  private head = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Records one event at `now`; false when it is one too many for the window. */
  record(now: number): boolean {
    this.expire(now);
    this.stamps.push(now);
    return this.stamps.length - this.head <= this.limit;
  }

  /** Events still inside the window at `now`. */
  count(now: number): number {
    this.expire(now);
    return this.stamps.length - this.head;
  }

  private expire(now: number): void {
    const oldest = now - this.windowMs;
    while (this.head < this.stamps.length && (this.stamps[this.head] ?? 0) <= oldest) this.head += 1;
    // Compact now and then so a long soak does not keep every stamp it ever saw.
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps.splice(0, this.head);
      this.head = 0;
    }
  }
}

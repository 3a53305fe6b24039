/**
 * What every hostile-frame fuzz spec watches besides the connection's own stats: the heap while the
 * junk flows, and the log lines that would show an exception caught inside the frame path.
 *
 * An exception that escapes the library entirely (an uncaught exception, an unhandled rejection)
 * fails the running test by itself: Jest installs its own process handlers and they run first, so
 * a listener of the spec's own would see nothing. What Jest cannot see is an exception the library
 * caught and isolated on the way: a throwing route or sequence check is logged as a listener or
 * client fault and the frame silently lost, so the specs require those lines to be absent.
 */

/** The heap's peak over a run, sampled between batches. */
export class HeapPeak {
  readonly before = process.memoryUsage().heapUsed;
  private peak = this.before;

  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().heapUsed);
  }

  get growthBytes(): number {
    return this.peak - this.before;
  }
}

/**
 * Growth tolerated: generous, because without --expose-gc the heap holds garbage until V8 feels
 * like collecting it; a leak per junk frame (thousands of them, some megabytes) still passes it.
 */
export const HEAP_GROWTH_LIMIT_BYTES = 256 * 1024 * 1024;

/** Log lines saying an exception was caught inside the frame path (each is a bug). */
export function frameFaultLines(lines: readonly string[]): string[] {
  return lines.filter((line) => /listener threw|Client fault|codec threw/.test(line));
}

/**
 * Log lines about junk, which are rate-limited (the first, then every 100th), never one per frame:
 * per socket, the client's counter of unusable frames and the supervisor's of unrouted ones each
 * log that way, so N junk frames give at most N / 100 + 2 lines.
 */
export function junkLogLines(lines: readonly string[]): number {
  return lines.filter((line) => line.includes('Unusable frame')).length;
}

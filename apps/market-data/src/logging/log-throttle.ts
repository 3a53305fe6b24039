/** What `LogThrottle.admit` lets through: log now, mentioning how many were held back since. */
export interface Admitted {
  /** Occurrences of the same cause not logged since the last line. */
  suppressed: number;
}

/** Causes tracked at most; beyond it every new cause shares one slot (a bound, not a feature). */
const MAX_CAUSES = 256;
const OVERFLOW_KEY = '(other causes)';

/**
 * One log line per cause per interval. Anything an unauthenticated peer can trigger (a failed
 * health check, an oversize gateway frame, a dropped frame) goes through here, so its log volume
 * is bounded by the number of causes, not by the number of requests.
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `undefined`: stay quiet; otherwise log one line now. */
  admit(cause: string): Admitted | undefined {
    const now = this.now();
    const key = this.last.has(cause) || this.last.size < MAX_CAUSES ? cause : OVERFLOW_KEY;
    const entry = this.last.get(key);
    if (entry !== undefined && now - entry.at < this.intervalMs) {
      entry.suppressed += 1;
      return undefined;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    return { suppressed };
  }
}

/** " (12 more since the last line)", or nothing. */
export function suppressedNote(admitted: Admitted): string {
  return admitted.suppressed === 0 ? '' : ` (${admitted.suppressed} more since the last such line)`;
}

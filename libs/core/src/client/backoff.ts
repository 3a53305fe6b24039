/**
 * `min(baseDelay * 2 ** attempt, maxBackoff)`, exact (no jitter: see jitter.ts).
 * Seed examples: (0, 1000) → 1000, (1, 1000) → 2000, (5, 1000, 30000) → 30000.
 * Huge or odd attempts never yield Infinity or NaN: the cap wins.
 */
export function calculateBackoff(attempt: number, baseDelay: number, maxBackoff = 30000): number {
  const cap = Number.isFinite(maxBackoff) && maxBackoff > 0 ? maxBackoff : 0;
  const base = Number.isFinite(baseDelay) && baseDelay > 0 ? baseDelay : 0;
  // NaN and negatives count as the first attempt; +Infinity as past the cap.
  const exponent = attempt === Infinity ? Infinity : Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  if (base === 0) return 0;
  // 2 ** 1024 is Infinity; anything past the cap's exponent is the cap anyway.
  if (exponent >= 1024) return cap;
  const delay = base * 2 ** exponent;
  return Number.isFinite(delay) ? Math.min(delay, cap) : cap;
}

/** True when `attempt` retries have already been made and `maxRetries` allows no more. */
export function maxRetriesExceeded(attempt: number, maxRetries: number): boolean {
  return attempt >= maxRetries;
}

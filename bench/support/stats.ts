/** Small numeric helpers for benchmark and soak reports. */

/** Nearest-rank percentile of an unsorted sample (p in [0, 100]); NaN for an empty sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Counts of `values` in `buckets` equal slices of [from, to); values outside are clamped to the ends. */
export function histogram(values: readonly number[], from: number, to: number, buckets: number): number[] {
  const counts = new Array<number>(buckets).fill(0);
  const width = (to - from) / buckets;
  for (const value of values) {
    const index = Math.min(buckets - 1, Math.max(0, Math.floor((value - from) / width)));
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

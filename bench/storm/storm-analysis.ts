import { histogram, mean, percentile } from '../support/stats.js';

export interface SpreadAnalysis {
  samples: number;
  windowMs: number;
  /** Offsets (ms after the drop) of the first reconnect attempt: p5, p50, p95, min, max. */
  p5Ms: number;
  p10Ms: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  /** (p95 − p5) / window: full jitter gives 0.90 in expectation. */
  spanP5P95: number;
  /** (p90 − p10) / window: full jitter gives 0.80 in expectation (so about half of runs fall below). */
  spanP10P90: number;
  buckets: number[];
  /** Largest bucket / mean bucket: 1 for a perfectly even spread, 10 for a spike in one bucket. */
  maxBucketOverMean: number;
}

/** How the first reconnect attempts of many connections spread over the backoff window [0, windowMs]. */
export function analyzeSpread(offsetsMs: readonly number[], windowMs: number, bucketCount = 10): SpreadAnalysis {
  const buckets = histogram(offsetsMs, 0, windowMs, bucketCount);
  const p5 = percentile(offsetsMs, 5);
  const p10 = percentile(offsetsMs, 10);
  const p90 = percentile(offsetsMs, 90);
  const p95 = percentile(offsetsMs, 95);
  return {
    samples: offsetsMs.length,
    windowMs,
    p5Ms: p5,
    p10Ms: p10,
    p50Ms: percentile(offsetsMs, 50),
    p90Ms: p90,
    p95Ms: p95,
    minMs: Math.min(...offsetsMs),
    maxMs: Math.max(...offsetsMs),
    spanP5P95: (p95 - p5) / windowMs,
    spanP10P90: (p90 - p10) / windowMs,
    buckets,
    maxBucketOverMean: Math.max(...buckets) / mean(buckets),
  };
}

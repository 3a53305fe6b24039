import { DERIBIT_DEFAULTS } from '../../connection-defaults.js';
import type { Clock } from '../../client/clock.js';
import { backOffDelayMs, retryIdempotent, type RetryBackOffOptions } from '../idempotent-retry.js';
import { isRateLimited } from './deribit-errors.js';

/** Back-off for idempotent calls answered with 10028 (defaults: 5 attempts, 100 ms doubling, cap 2 s). */
export type RateLimitRetryOptions = RetryBackOffOptions;

export const DEFAULT_RATE_LIMIT_RETRY: Required<RateLimitRetryOptions> = { ...DERIBIT_DEFAULTS.rateLimitRetry };

export const rateLimitDelayMs = backOffDelayMs;

/**
 * Runs `call` again after a bounded exponential back-off while Deribit answers 10028. Only for
 * idempotent calls (subscribe, unsubscribe, set_heartbeat, enable_cancel_on_disconnect, hello, auth).
 */
export function retryOnRateLimit<T>(
  call: () => Promise<T>,
  clock: Clock,
  options: Required<RateLimitRetryOptions>,
  signal: AbortSignal,
): Promise<T> {
  return retryIdempotent(call, isRateLimited, clock, options, signal, 'Deribit session');
}

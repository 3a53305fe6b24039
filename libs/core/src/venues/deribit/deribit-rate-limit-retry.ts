import { ExchangeConnectionError } from '../../client/errors.js';
import { DERIBIT_DEFAULTS } from '../../connection-defaults.js';
import type { DeribitClock } from './deribit-clock.js';
import { isRateLimited } from './deribit-errors.js';

export interface RateLimitRetryOptions {
  /** Total attempts including the first (default 5). */
  maxAttempts?: number;
  /** First back-off delay (default 100 ms); doubles per attempt. */
  baseDelayMs?: number;
  /** Cap on one delay (default 2000 ms). */
  maxDelayMs?: number;
}

export const DEFAULT_RATE_LIMIT_RETRY: Required<RateLimitRetryOptions> = { ...DERIBIT_DEFAULTS.rateLimitRetry };

export function rateLimitDelayMs(retry: number, options: Required<RateLimitRetryOptions>): number {
  return Math.min(options.baseDelayMs * 2 ** retry, options.maxDelayMs);
}

/**
 * Runs `call` again after a bounded exponential back-off while the venue answers 10028.
 * Only for idempotent calls (subscribe, unsubscribe, set_heartbeat, enable_cancel_on_disconnect,
 * hello, auth): an order must never go through here, it could be sent twice.
 * `signal` aborts the wait when the session is disposed, so no timer outlives it.
 */
export async function retryOnRateLimit<T>(
  call: () => Promise<T>,
  clock: DeribitClock,
  options: Required<RateLimitRetryOptions>,
  signal: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRateLimited(error) || attempt >= options.maxAttempts || signal.aborted) throw error;
      await abortableSleep(rateLimitDelayMs(attempt - 1, options), clock, signal);
    }
  }
}

function abortableSleep(delayMs: number, clock: DeribitClock, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(new ExchangeConnectionError('NOT_CONNECTED', 'Deribit session disposed during rate-limit back-off'));
    };
    const handle = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

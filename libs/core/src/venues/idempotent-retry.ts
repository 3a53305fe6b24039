import type { Clock } from '../client/clock.js';
import { ExchangeConnectionError } from '../client/errors.js';

/** Back-off of an idempotent venue call that the venue asked us to slow down. */
export interface RetryBackOffOptions {
  /** Total attempts including the first. */
  maxAttempts?: number;
  /** First pause; doubles per attempt. */
  baseDelayMs?: number;
  /** Cap on one pause. */
  maxDelayMs?: number;
}

/** The pause before retry number `retry + 1` (0-based): doubling from the base, capped. */
export function backOffDelayMs(retry: number, options: Required<RetryBackOffOptions>): number {
  return Math.min(options.baseDelayMs * 2 ** retry, options.maxDelayMs);
}

/**
 * Runs an idempotent call (subscribe, unsubscribe, auth, heartbeat settings, ping) again after a
 * doubling pause while `shouldRetry` says the venue is rate-limiting it. Never for an order: it could
 * be sent twice. `signal` aborts the pause when the session is disposed (NOT_CONNECTED, naming
 * `what`), so no timer outlives the session.
 */
export async function retryIdempotent<T>(
  call: () => Promise<T>,
  shouldRetry: (error: unknown) => boolean,
  clock: Clock,
  options: Required<RetryBackOffOptions>,
  signal: AbortSignal,
  what: string,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!shouldRetry(error) || attempt >= options.maxAttempts || signal.aborted) throw error;
      await pause(backOffDelayMs(attempt - 1, options), clock, signal, what);
    }
  }
}

/** Waits `delayMs` on `clock`; NOT_CONNECTED (naming `what`) if `signal` aborts first, leaving no timer. */
export function pause(delayMs: number, clock: Clock, signal: AbortSignal, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(new ExchangeConnectionError('NOT_CONNECTED', `${what} disposed during a rate-limit back-off`));
    };
    const handle = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

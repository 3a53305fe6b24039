import { ExchangeConnectionError } from '../../client/errors.js';
import type { Clock } from '../../client/clock.js';
import { BYBIT_DEFAULTS } from '../../connection-defaults.js';
import { bybitErrorClass } from './bybit-errors.js';

export interface BackOffOptions {
  /** Total attempts including the first (default 5). */
  maxAttempts?: number;
  /** First pause (default 200 ms); doubles per attempt. */
  baseDelayMs?: number;
  /** Cap on one pause (default 3000 ms). */
  maxDelayMs?: number;
}

export const DEFAULT_BACK_OFF: Required<BackOffOptions> = BYBIT_DEFAULTS.backOff;

/**
 * Runs an idempotent call (subscribe, unsubscribe, auth, ping) again after a doubling pause while
 * Bybit answers with a rate limit. Never for an order: it could be sent twice. `signal` aborts the
 * pause when the session is disposed, so no timer outlives it.
 */
export async function retryOnBackOff<T>(
  call: () => Promise<T>,
  clock: Clock,
  options: Required<BackOffOptions>,
  signal: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (bybitErrorClass(error) !== 'back-off' || attempt >= options.maxAttempts || signal.aborted) throw error;
      await pause(Math.min(options.baseDelayMs * 2 ** (attempt - 1), options.maxDelayMs), clock, signal);
    }
  }
}

function pause(delayMs: number, clock: Clock, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(new ExchangeConnectionError('NOT_CONNECTED', 'Bybit session disposed during a back-off'));
    };
    const handle = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

import { ExchangeConnectionError } from '../../client/errors.js';
import type { Clock } from '../../client/clock.js';
import { bybitErrorClass } from './bybit-errors.js';

export interface BackOffOptions {
  /** Total attempts including the first (default 5). */
  maxAttempts?: number;
  /** First pause (default 200 ms); doubles per attempt. */
  baseDelayMs?: number;
  /** Cap on one pause (default 3000 ms). */
  maxDelayMs?: number;
}

export const DEFAULT_BACK_OFF: Required<BackOffOptions> = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 3000 };

export function assertBackOff(options: BackOffOptions | undefined): Required<BackOffOptions> {
  const resolved = { ...DEFAULT_BACK_OFF, ...options };
  if (
    !Number.isInteger(resolved.maxAttempts) ||
    resolved.maxAttempts < 1 ||
    !(resolved.baseDelayMs >= 0) ||
    !(resolved.maxDelayMs >= 0)
  ) {
    throw new ExchangeConnectionError('INVALID_CONFIG', 'Bybit backOff needs maxAttempts >= 1 (integer) and non-negative delays');
  }
  return resolved;
}

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

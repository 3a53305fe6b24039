import type { Clock } from '../../client/clock.js';
import { BYBIT_DEFAULTS } from '../../connection-defaults.js';
import { retryIdempotent, type RetryBackOffOptions } from '../idempotent-retry.js';
import { bybitErrorClass } from './bybit-errors.js';

/** Back-off for idempotent calls Bybit rate-limits (defaults: 5 attempts, 200 ms doubling, cap 3 s). */
export type BackOffOptions = RetryBackOffOptions;

export const DEFAULT_BACK_OFF: Required<BackOffOptions> = BYBIT_DEFAULTS.backOff;

/** Runs an idempotent call (subscribe, unsubscribe, auth, ping) again while Bybit answers with a rate limit. */
export function retryOnBackOff<T>(
  call: () => Promise<T>,
  clock: Clock,
  options: Required<BackOffOptions>,
  signal: AbortSignal,
): Promise<T> {
  return retryIdempotent(call, (error) => bybitErrorClass(error) === 'back-off', clock, options, signal, 'Bybit session');
}

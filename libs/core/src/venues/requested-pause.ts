import type { ClientLogger } from '../client/client-types.js';
import { systemClock, type Clock } from '../client/clock.js';
import { ExchangeConnectionError, isExchangeConnectionError } from '../client/errors.js';
import { pause } from './idempotent-retry.js';

/**
 * A pause the venue asked for: a rate limit or an IP ban that states how long to keep quiet (Binance
 * 429 / 418 with `Retry-After` or `retryAfter`). Every call that goes through `run` waits it out
 * before sending, so neither a retry, a rebuilt session nor another connection sharing the pause
 * knocks during a ban: Binance lengthens bans for IPs that keep knocking, from 2 minutes up to 3 days.
 *
 * Share one pause between every connection whose requests count against the same limits (Binance:
 * one IP and one limits domain); adapters do so by default (`sharedRequestedPause`).
 */
export class RequestedPause {
  #until = 0;

  /**
   * @param label names the limits the pause guards in its warning (`Binance spot (api.binance.com)`);
   *   never a key, a secret or a query string.
   * @param clock whose time the wait is measured on (a test's ManualClock; default the system's).
   */
  constructor(
    readonly label: string,
    private readonly clock: Clock = systemClock,
  ) {}

  /** How long requests still wait (0: none). */
  get remainingMs(): number {
    return Math.max(0, this.#until - this.clock.now());
  }

  /**
   * Takes the wait a failure states (a RATE_LIMITED with `retryAfterMs`); anything else is ignored.
   * `logger` is the noting connection's: the warning lands in the log of the connection that was told.
   */
  note(error: unknown, logger?: ClientLogger): void {
    if (!isExchangeConnectionError(error) || error.code !== 'RATE_LIMITED' || error.retryAfterMs === undefined) return;
    const until = this.clock.now() + error.retryAfterMs;
    if (until <= this.#until) return;
    this.#until = until;
    logger?.warn(
      `${this.label} asked for no request for ${Math.ceil(error.retryAfterMs / 1000)} s; every request to these limits waits`,
      { limits: this.label, method: error.method, httpStatus: error.httpStatus, retryAfterMs: error.retryAfterMs },
    );
  }

  /**
   * Runs `call` once no pause is in force (re-checked after each wait: a pause may be lengthened
   * meanwhile) and notes the wait its failure states. NOT_CONNECTED if `signal` ends the wait.
   */
  async run<T>(call: () => Promise<T>, signal: AbortSignal, what: string, logger?: ClientLogger): Promise<T> {
    for (let left = this.remainingMs; left > 0; left = this.remainingMs) {
      await pause(left, this.clock, signal, what);
    }
    if (signal.aborted) throw new ExchangeConnectionError('NOT_CONNECTED', `${what} was disposed`);
    try {
      return await call();
    } catch (error) {
      this.note(error, logger);
      throw error;
    }
  }
}

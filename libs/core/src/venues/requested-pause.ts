import type { ClientLogger } from '../client/client-types.js';
import type { Clock } from '../client/clock.js';
import { ExchangeConnectionError, isExchangeConnectionError } from '../client/errors.js';
import { pause } from './idempotent-retry.js';

/**
 * A pause the venue asked for: a rate limit or an IP ban that states how long to keep quiet (Binance
 * 429 / 418 with `Retry-After` or `retryAfter`). Every call that goes through `run` waits it out
 * before sending, so neither a retry nor a rebuilt session (which shares its adapter's pause) knocks
 * during a ban: Binance lengthens bans for IPs that keep knocking, from 2 minutes up to 3 days.
 */
export class RequestedPause {
  #until = 0;

  constructor(
    private readonly clock: Clock,
    private readonly venue: string,
    private readonly logger?: ClientLogger,
  ) {}

  /** How long requests still wait (0: none). */
  get remainingMs(): number {
    return Math.max(0, this.#until - this.clock.now());
  }

  /** Takes the wait a failure states (a RATE_LIMITED with `retryAfterMs`); anything else is ignored. */
  note(error: unknown): void {
    if (!isExchangeConnectionError(error) || error.code !== 'RATE_LIMITED' || error.retryAfterMs === undefined) return;
    const until = this.clock.now() + error.retryAfterMs;
    if (until <= this.#until) return;
    this.#until = until;
    this.logger?.warn(`${this.venue} asked for no request for ${Math.ceil(error.retryAfterMs / 1000)} s; requests wait`, {
      method: error.method,
      httpStatus: error.httpStatus,
      retryAfterMs: error.retryAfterMs,
    });
  }

  /**
   * Runs `call` once no pause is in force (re-checked after each wait: a pause may be lengthened
   * meanwhile) and notes the wait its failure states. NOT_CONNECTED if `signal` ends the wait.
   */
  async run<T>(call: () => Promise<T>, signal: AbortSignal, what: string): Promise<T> {
    for (let left = this.remainingMs; left > 0; left = this.remainingMs) {
      await pause(left, this.clock, signal, what);
    }
    if (signal.aborted) throw new ExchangeConnectionError('NOT_CONNECTED', `${what} was disposed`);
    try {
      return await call();
    } catch (error) {
      this.note(error);
      throw error;
    }
  }
}

import type { ClientLogger } from '../../client/client-types.js';
import type { Clock } from '../../client/clock.js';
import { ExchangeConnectionError, isExchangeConnectionError } from '../../client/errors.js';
import type { VenueMessage } from '../../client/venue-codec.js';
import { retryIdempotent, type RetryBackOffOptions } from '../idempotent-retry.js';
import type { RequestedPause } from '../requested-pause.js';
import type { PreparedSocket, RestoreStep, RoutedNotification, VenueSession } from '../venue-adapter.js';
import { binanceErrorClass, isBinanceRetryable } from './binance-errors.js';
import {
  binanceListenKeyUrl,
  createBinanceListenKey,
  isBinanceListenKeyGone,
  keepAliveBinanceListenKey,
  redactListenKey,
  type BinanceListenKeyRest,
} from './binance-listen-key.js';
import type { BinanceFetch } from './binance-rest.js';
import { BINANCE_USER_DATA_CHANNEL } from './binance-streams.js';

/** What the USDⓈ-M user data market runs with (resolved defaults). */
export interface BinanceFuturesUserDataConfig {
  restUrl: string;
  restTimeoutMs: number;
  /** How often the listenKey is extended (PUT); the venue keeps it 60 minutes from the last one. */
  keepAliveIntervalMs: number;
  /** The socket's `events` allow list (`listenKeyExpired` always in it); undefined: every event. */
  events: readonly string[] | undefined;
  backOff: Required<RetryBackOffOptions>;
  fetch: BinanceFetch;
  clock: Clock;
  logger?: ClientLogger;
  /** The adapter's: a wait Binance asked for (429 / 418 with `Retry-After`) holds the listenKey calls too. */
  requestPause: RequestedPause;
}

/** A keepalive that failed for a passing reason is tried again this soon (the key has ~30 min left). */
const KEEPALIVE_RETRY_MS = 60_000;

const UNKNOWN: RoutedNotification = Object.freeze({ kind: 'unknown' });
const HANDLED: RoutedNotification = Object.freeze({ kind: 'handled' });
const SERVER_SHUTDOWN: RoutedNotification = Object.freeze({ kind: 'rotate', reason: 'serverShutdown' });

/**
 * The listenKey one socket opened with: what `prepareSocket` hands the supervisor and the
 * supervisor hands back to `createSession`. The key opens the account's stream to anyone who has
 * it, so it is held in private fields (not printed by `util.inspect`, not in `JSON.stringify`) and
 * `toJSON` shows the URL redacted.
 */
export class BinanceListenKeyLease implements PreparedSocket {
  readonly #url: string;

  constructor(base: string, listenKey: string, events: readonly string[] | undefined) {
    this.#url = binanceListenKeyUrl(base, listenKey, events);
  }

  /** The socket URL, listenKey included: for the socket only, never for a log. */
  get url(): string {
    return this.#url;
  }

  toJSON(): { url: string } {
    return { url: redactListenKey(this.#url) };
  }
}

/**
 * `POST /fapi/v1/listenKey` (backed off on a rate limit or a 5xx, like every idempotent Binance
 * call), then the socket URL with the key. Runs before every socket: the first connect, each
 * rebuild, each rotation. A rejected API key (401 / -2015) is INVALID_CREDENTIALS: the circuit opens.
 */
export async function leaseBinanceListenKey(
  base: string,
  apiKey: string,
  config: BinanceFuturesUserDataConfig,
  signal: AbortSignal,
): Promise<BinanceListenKeyLease> {
  const rest = restOf(config, apiKey);
  const listenKey = await retryIdempotent(
    () => config.requestPause.run(() => createBinanceListenKey(rest, signal), signal, 'Binance listenKey', config.logger),
    isBinanceRetryable,
    config.clock,
    config.backOff,
    signal,
    'Binance listenKey',
  );
  return new BinanceListenKeyLease(base, listenKey, config.events);
}

function restOf(config: BinanceFuturesUserDataConfig, apiKey: string): BinanceListenKeyRest {
  return { fetch: config.fetch, restUrl: config.restUrl, apiKey, timeoutMs: config.restTimeoutMs };
}

function codeOf(error: unknown): string {
  return isExchangeConnectionError(error) ? error.code : 'UNKNOWN';
}

/**
 * USDⓈ-M user data on one `/private` socket, opened with a listenKey (`BinanceListenKeyLease`).
 * The socket carries the account's events from its opening: `channel$('userData')` gets each raw
 * event (`ORDER_TRADE_UPDATE`, `ACCOUNT_UPDATE`, …) without a request. The key is extended every
 * `keepAliveIntervalMs` (PUT) while the socket lives; the timer goes with the session. The key's
 * end — a keepalive answered -1125, or the venue's `listenKeyExpired` event — ends the session
 * (a non-fatal error): the supervisor's rebuild gets a new key before the new socket, and no event
 * reaches consumers twice (the old socket is gone first). A rejected API key on the keepalive opens
 * the circuit.
 */
export class BinanceFuturesUserDataSession implements VenueSession {
  readonly #abort = new AbortController();
  readonly #routed: { kind: 'data'; channel: string; data: unknown } = {
    kind: 'data',
    channel: BINANCE_USER_DATA_CHANNEL,
    data: undefined,
  };
  readonly #rest: BinanceListenKeyRest | undefined;
  #timer: unknown;
  #keepAlives = 0;
  #ended = false;

  constructor(
    private readonly lease: BinanceListenKeyLease | undefined,
    apiKey: string | undefined,
    private readonly onFatal: (error: ExchangeConnectionError) => void,
    private readonly config: BinanceFuturesUserDataConfig,
  ) {
    this.#rest = apiKey === undefined ? undefined : restOf(config, apiKey);
  }

  /** Keepalives (PUT) the venue accepted on this socket's key. */
  get keepAlives(): number {
    return this.#keepAlives;
  }

  /** Whether a keepalive is scheduled (false once disposed: no timer outlives the session). */
  get keepAliveArmed(): boolean {
    return this.#timer !== undefined;
  }

  /** The socket opened with a key: keep it alive from now on. */
  async restore(_onStep?: (step: RestoreStep) => void): Promise<void> {
    this.#assertLive();
    if (this.lease === undefined || this.#rest === undefined) {
      // prepareSocket runs before every socket of this market; without its lease there is no stream.
      throw new ExchangeConnectionError('INVALID_CONFIG', 'Binance futures user data: the socket has no listenKey');
    }
    this.#schedule(this.config.keepAliveIntervalMs);
  }

  /** Nothing to send: the socket carries the account's events since it opened. */
  async subscribe(channels: readonly string[]): Promise<string[]> {
    this.#assertLive();
    return channels.includes(BINANCE_USER_DATA_CHANNEL) ? [BINANCE_USER_DATA_CHANNEL] : [];
  }

  async unsubscribe(channels: readonly string[]): Promise<string[]> {
    this.#assertLive();
    return channels.includes(BINANCE_USER_DATA_CHANNEL) ? [BINANCE_USER_DATA_CHANNEL] : [];
  }

  /** Raw events `{e, E, …}` (a combined `{stream, data}` is unwrapped); `listenKeyExpired` ends the session. */
  route(message: VenueMessage): RoutedNotification {
    const event = typeof message.stream === 'string' ? message.data : message;
    if (typeof event !== 'object' || event === null) return UNKNOWN;
    const type = (event as { e?: unknown }).e;
    if (typeof type !== 'string') return UNKNOWN;
    if (type === 'listenKeyExpired') {
      // The socket's one key is over (the event's own `listenKey` is not compared: a stream that
      // stayed open on a dead key would be silent for ever, while the server's pings kept it
      // looking alive). Never delivered: the event names the key.
      this.#end(
        new ExchangeConnectionError(
          'VENUE_ERROR',
          'Binance listenKey expired (listenKeyExpired): rebuilding the session with a new key',
        ),
      );
      return HANDLED;
    }
    if (type === 'serverShutdown') return SERVER_SHUTDOWN;
    const routed = this.#routed;
    routed.data = event;
    return routed;
  }

  /**
   * The key is left to lapse, not closed (DELETE): on USDⓈ-M it is the account's one key, which a
   * rotation's new socket or another program on the same API key may be using.
   */
  dispose(): void {
    this.#abort.abort();
    this.#clearTimer();
  }

  #schedule(delayMs: number): void {
    this.#clearTimer();
    if (this.#abort.signal.aborted || this.#ended) return;
    this.#timer = this.config.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#keepAlive();
    }, delayMs);
  }

  #keepAlive(): void {
    const rest = this.#rest;
    const signal = this.#abort.signal;
    if (rest === undefined || signal.aborted) return;
    retryIdempotent(
      () =>
        this.config.requestPause.run(
          () => keepAliveBinanceListenKey(rest, signal),
          signal,
          'Binance listenKey keepalive',
          this.config.logger,
        ),
      isBinanceRetryable,
      this.config.clock,
      this.config.backOff,
      signal,
      'Binance listenKey keepalive',
    ).then(
      () => {
        this.#keepAlives += 1;
        this.#schedule(this.config.keepAliveIntervalMs);
      },
      (error: unknown) => {
        if (signal.aborted) return;
        if (isBinanceListenKeyGone(error)) {
          this.config.logger?.warn('Binance listenKey no longer exists (-1125); rebuilding with a new key');
          this.#end(error as ExchangeConnectionError);
          return;
        }
        if (binanceErrorClass(error) === 'fatal') {
          this.#end(error as ExchangeConnectionError);
          return;
        }
        // The key lives 60 minutes from the last good keepalive: try again soon; should it lapse
        // anyway, the venue's listenKeyExpired rebuilds the session.
        this.config.logger?.warn('Binance listenKey keepalive failed; trying again', { code: codeOf(error) });
        this.#schedule(Math.min(this.config.keepAliveIntervalMs, KEEPALIVE_RETRY_MS));
      },
    );
  }

  /** The key is over for this socket: report once, keep nothing scheduled. */
  #end(error: ExchangeConnectionError): void {
    if (this.#ended || this.#abort.signal.aborted) return;
    this.#ended = true;
    this.#clearTimer();
    this.onFatal(error);
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.config.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #assertLive(): void {
    if (this.#abort.signal.aborted) throw new ExchangeConnectionError('NOT_CONNECTED', 'Binance session was disposed');
  }
}

/** The lease `prepareSocket` made, if `prepared` is one (any other object is not this adapter's). */
export function binanceLeaseOf(prepared: PreparedSocket | undefined): BinanceListenKeyLease | undefined {
  return prepared instanceof BinanceListenKeyLease ? prepared : undefined;
}

import { bybitOverlapKey } from './bybit-overlap-key.js';
import type { ClientLogger } from '../../client/client-types.js';
import { systemClock, type Clock } from '../../client/clock.js';
import { ExchangeConnectionError } from '../../client/errors.js';
import { resolveFrameLimits, type FrameLimits } from '../../client/frame-guard.js';
import { BYBIT_DEFAULTS } from '../../connection-defaults.js';
import { durationMs, durationSec, integer } from '../../option-checks.js';
import type { SequenceInfo, ShardBudget, VenueAdapter, VenueRpc, VenueSessionOptions } from '../venue-adapter.js';
import type { BybitApiKey } from './bybit-auth.js';
import type { BackOffOptions } from './bybit-back-off.js';
import { bybitBookSequence } from './bybit-book.js';
import { BybitCodec } from './bybit-codec.js';
import { isBybitFatal } from './bybit-errors.js';
import { bybitArgsCost } from './bybit-subscribe-plan.js';
import { BybitSession, type BybitSessionConfig } from './bybit-session.js';
import { BYBIT_MARKETS, isBybitBookTopic, isBybitPrivateTopic, type BybitMarket } from './bybit-topics.js';

export interface BybitAdapterOptions {
  /** Which v5 endpoint the connection's URL is: `/v5/public/spot`, `/v5/public/linear` or `/v5/private`. */
  market: BybitMarket;
  /** Args per subscribe request (default spot 10, linear 100, private 10). */
  maxArgsPerRequest?: number;
  /** Subscribe requests awaiting their ack at once during a restore (default 4). */
  maxRequestsInFlight?: number;
  /**
   * The JSON length of the args one public socket may hold (default 21,000, Bybit's limit). A
   * `ShardedConnection` opens another socket when the next topic would not fit.
   */
  maxArgsChars?: number;
  /** Public sockets one logical connection may open (default 16). */
  maxShards?: number;
  /**
   * Private only: the venue cuts the socket after this many seconds without ping-pong or data
   * (`max_active_time`, 30–600). Unset: Bybit's own 10 minutes.
   */
  maxActiveTimeSec?: number;
  /** How far ahead the auth op's `expires` is set (default 10,000 ms). */
  authValidityMs?: number;
  /** Back-off for idempotent ops answered with a rate limit (default 5 attempts, 200 ms doubling, cap 3 s). */
  backOff?: BackOffOptions;
  /** Bounds on one inbound frame (default: nesting 128, 4 MiB). */
  frameLimits?: FrameLimits;
  /** Warnings (a refused topic, a failed ping). Never given a secret. */
  logger?: ClientLogger;
  /** Test seam: the session's timers (ping, back-off) and the auth's clock. */
  clock?: Clock;
}

const ENDPOINT_PATHS: Readonly<Record<BybitMarket, string>> = {
  spot: '/v5/public/spot',
  linear: '/v5/public/linear',
  private: '/v5/private',
};

/**
 * Bybit v5 streams over the common client and supervisor: public spot and linear (tickers,
 * orderbook, publicTrade, ...) and private (order, execution, position, wallet). One adapter per
 * endpoint; each connection is one endpoint.
 */
export class BybitAdapter implements VenueAdapter {
  readonly venue = 'bybit';
  readonly market: BybitMarket;
  readonly frameLimits: Required<FrameLimits>;
  readonly shardBudget: ShardBudget | undefined;
  readonly #config: Omit<BybitSessionConfig, 'pingIntervalMs'>;
  readonly #maxActiveTimeSec: number | undefined;
  /** Filled for every book frame (the supervisor reads it before the next): no allocation per frame. */
  readonly #sequence: SequenceInfo = { id: 0 };

  constructor(options: BybitAdapterOptions) {
    if (!BYBIT_MARKETS.includes(options?.market)) {
      throw new ExchangeConnectionError('INVALID_CONFIG', `Bybit market must be one of ${BYBIT_MARKETS.join(', ')}`);
    }
    const market = options.market;
    this.market = market;
    const backOff = options.backOff;
    const defaults = BYBIT_DEFAULTS.backOff;
    this.#config = {
      market,
      authValidityMs: integer('authValidityMs', options.authValidityMs, BYBIT_DEFAULTS.authValidityMs, 1, 60_000),
      maxArgsPerRequest: integer('maxArgsPerRequest', options.maxArgsPerRequest, BYBIT_DEFAULTS.maxArgsPerRequest[market], 1),
      maxRequestsInFlight: integer(
        'maxRequestsInFlight',
        options.maxRequestsInFlight,
        BYBIT_DEFAULTS.maxRequestsInFlight,
        1,
        100,
      ),
      backOff: {
        maxAttempts: integer('backOff.maxAttempts', backOff?.maxAttempts, defaults.maxAttempts, 1),
        baseDelayMs: durationMs('backOff.baseDelayMs', backOff?.baseDelayMs, defaults.baseDelayMs, { zero: true }),
        maxDelayMs: durationMs('backOff.maxDelayMs', backOff?.maxDelayMs, defaults.maxDelayMs, { zero: true }),
      },
      clock: options.clock ?? systemClock,
      logger: options.logger,
    };
    if (options.maxActiveTimeSec !== undefined) {
      if (market !== 'private') {
        throw new ExchangeConnectionError('INVALID_CONFIG', 'maxActiveTimeSec: only the Bybit private endpoint takes it');
      }
      this.#maxActiveTimeSec = integer('maxActiveTimeSec', options.maxActiveTimeSec, 0, 30, 600);
    }
    this.frameLimits = resolveFrameLimits(options.frameLimits, BYBIT_DEFAULTS.frameLimits);
    // Docs: the args limit is per public connection; private sockets carry a handful of topics.
    this.shardBudget =
      market === 'private'
        ? undefined
        : {
            cost: bybitArgsCost,
            base: 1,
            limit: integer('maxArgsChars', options.maxArgsChars, BYBIT_DEFAULTS.maxArgsChars, 64),
            maxShards: integer('maxShards', options.maxShards, BYBIT_DEFAULTS.maxShards, 1, 1_000),
          };
  }

  createSession(rpc: VenueRpc, options: VenueSessionOptions, onFatal: (error: ExchangeConnectionError) => void): BybitSession {
    return new BybitSession(rpc, { credentials: apiKeyOf(options) }, onFatal, {
      ...this.#config,
      pingIntervalMs: this.pingIntervalMs(options),
    });
  }

  createCodec(): BybitCodec {
    return new BybitCodec('stream');
  }

  /** Fails at startup: a private endpoint without a key, or a ping slower than the venue's cut. */
  validateSessionOptions(options: VenueSessionOptions): void {
    if (this.market === 'private' && options.credentials === undefined) {
      throw new ExchangeConnectionError('INVALID_CONFIG', 'a Bybit private connection needs credentials (API key and secret)');
    }
    const pingMs = this.pingIntervalMs(options);
    if (this.#maxActiveTimeSec !== undefined && pingMs >= this.#maxActiveTimeSec * 1000) {
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        `heartbeatIntervalSec (${pingMs / 1000}) must be below maxActiveTimeSec (${this.#maxActiveTimeSec}): the venue would cut the socket between pings`,
      );
    }
  }

  /** Checks the URL names this adapter's endpoint, and adds `max_active_time` on private. */
  socketUrl(url: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ExchangeConnectionError('INVALID_CONFIG', 'Bybit url is not a valid URL');
    }
    const expected = ENDPOINT_PATHS[this.market];
    if (parsed.pathname !== expected) {
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        `Bybit ${this.market} connection: url path must be ${expected} (got ${parsed.pathname.slice(0, 64)})`,
      );
    }
    if (this.#maxActiveTimeSec !== undefined) parsed.searchParams.set('max_active_time', `${this.#maxActiveTimeSec}s`);
    return parsed.toString();
  }

  isPrivateChannel(channel: string): boolean {
    return isBybitPrivateTopic(channel);
  }

  sequenceOf(channel: string, data: unknown): SequenceInfo | undefined {
    // Runs on every message of every channel: a prefix test before anything else.
    return isBybitBookTopic(channel) ? bybitBookSequence(data, this.#sequence) : undefined;
  }

  isSequencedChannel(channel: string): boolean {
    return isBybitBookTopic(channel);
  }

  overlapKey(channel: string, data: unknown): number | undefined {
    return bybitOverlapKey(channel, data);
  }

  isFatal(error: ExchangeConnectionError): boolean {
    return isBybitFatal(error);
  }

  private pingIntervalMs(options: VenueSessionOptions): number {
    return durationSec('heartbeatIntervalSec', options.heartbeatIntervalSec, BYBIT_DEFAULTS.pingIntervalSec) * 1000;
  }
}

/** Bybit has one way to sign: the credential pair is its API key and secret, whatever the `kind`. */
function apiKeyOf(options: VenueSessionOptions): BybitApiKey | undefined {
  const credentials = options.credentials;
  return credentials === undefined ? undefined : { apiKey: credentials.clientId, apiSecret: credentials.clientSecret };
}

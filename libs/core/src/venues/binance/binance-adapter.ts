import type { ClientLogger } from '../../client/client-types.js';
import { systemClock, type Clock } from '../../client/clock.js';
import { ExchangeConnectionError } from '../../client/errors.js';
import { resolveFrameLimits, type FrameLimits } from '../../client/frame-guard.js';
import { resolveOutboundRate, type OutboundRate } from '../../client/outbound-rate-limiter.js';
import { BINANCE_DEFAULTS } from '../../connection-defaults.js';
import { durationMs, integer } from '../../option-checks.js';
import type { RetryBackOffOptions } from '../idempotent-retry.js';
import type { PreparedSocket, SequenceInfo, ShardBudget, VenueAdapter, VenueRpc, VenueSessionOptions } from '../venue-adapter.js';
import { assertBinanceApiKey, type BinanceApiKey } from './binance-auth.js';
import { binanceBookSequence } from './binance-book.js';
import { BinanceCodec } from './binance-codec.js';
import { isBinanceFatal } from './binance-errors.js';
import {
  BinanceFuturesUserDataSession,
  binanceLeaseOf,
  leaseBinanceListenKey,
  type BinanceFuturesUserDataConfig,
  type BinanceListenKeyLease,
} from './binance-futures-user-session.js';
import { binanceRequestPause, type BinanceRequestPauseOption } from './binance-request-pause.js';
import { BINANCE_REST_URLS, type BinanceFetch } from './binance-rest.js';
import { BinanceStreamSession, BinanceUserDataSession, type BinanceSessionConfig } from './binance-session.js';
import {
  BINANCE_MARKETS,
  BINANCE_PATHS,
  BINANCE_USER_DATA_CHANNEL,
  isBinanceDiffDepth,
  isBinanceUserDataMarket,
  type BinanceMarket,
} from './binance-streams.js';

export interface BinanceAdapterOptions {
  /**
   * Which endpoint the connection's URL is: `spot` (market streams), `futures-public` /
   * `futures-market` (USDⓈ-M routed market streams), `user-data` (spot WebSocket API, the
   * `userData` channel; needs credentials), `futures-user-data` (USDⓈ-M `/private`, the `userData`
   * channel over a listenKey; needs the API key). The URL may be the bare origin
   * (`wss://stream.binance.com:9443`): the market's path is added.
   */
  market: BinanceMarket;
  /** REST base of the depth snapshots (default `https://api.binance.com`, futures `https://fapi.binance.com`). */
  restUrl?: string;
  /** Streams one socket may hold (default 1024, the venue's cap); a `ShardedConnection` opens more sockets beyond it. */
  maxStreamsPerSocket?: number;
  /** Sockets one logical connection may open (default 16). */
  maxShards?: number;
  /** Streams per SUBSCRIBE (default 200). */
  maxStreamsPerRequest?: number;
  /** SUBSCRIBE requests awaiting their answer at once (default 5). */
  maxRequestsInFlight?: number;
  /** The venue's limit on frames per socket (default spot 5/s, futures 10/s; the user-data socket: none). */
  outboundRate?: OutboundRate;
  /** How long the venue lets a socket live (default 24 h): the supervisor rotates ahead of it. */
  maxSocketLifetimeMs?: number;
  /** Levels of the REST depth snapshot (default 1000). */
  depthSnapshotLimit?: number;
  /** Diff events held per book while its snapshot is fetched (default 10,000). */
  maxBufferedEvents?: number;
  /** Bound on one REST snapshot request (default 10,000 ms). */
  restTimeoutMs?: number;
  /** `recvWindow` of signed requests (default 5000 ms). */
  recvWindowMs?: number;
  /** Back-off for idempotent calls answered with a rate limit or a 5xx (default 5 attempts, 200 ms doubling, cap 5 s). */
  backOff?: RetryBackOffOptions;
  /** Bounds on one inbound frame (default: nesting 128, 4 MiB). */
  frameLimits?: FrameLimits;
  /** Warnings (a refused stream, a snapshot retried). Never given a secret. */
  logger?: ClientLogger;
  /** Test seam: back-off timers and the signing clock. */
  clock?: Clock;
  /** Test seam: the REST client (default node's global fetch; the listenKey calls pass a `method`). */
  fetch?: BinanceFetch;
  /**
   * `futures-user-data`: how often the listenKey is extended (PUT /fapi/v1/listenKey). Default 30
   * minutes, as the docs recommend; the venue keeps a key 60 minutes from the last extension, so at
   * most 59 minutes.
   */
  listenKeyKeepAliveMs?: number;
  /**
   * `futures-user-data`: the socket's `events` allow list (`ORDER_TRADE_UPDATE`, `ACCOUNT_UPDATE`, …);
   * `listenKeyExpired` is always added (without it a lapsed key would go unnoticed). Default: no
   * list, every event of the account.
   */
  futuresUserEvents?: readonly string[];
  /**
   * What a stated wait (a 429 / 418 with `Retry-After` or `retryAfter`) holds: REST snapshots,
   * listenKey calls and WebSocket API requests wait on this pause until it ends.
   * - `'shared'` (default): one pause per process for the market's limits domain (spot and
   *   `user-data`: spot; the `futures-*` markets: USDⓈ-M) and the origin of `restUrl`. Binance bans
   *   the IP, so when one connection is told to wait, every connection of the process on those
   *   limits waits too instead of knocking and lengthening the ban.
   * - `'private'`: this adapter's own pause (isolation; what every adapter had before the pause was shared).
   * - a `RequestedPause`: shared with whichever adapters are given the same object, e.g. adapters
   *   whose `restUrl` differ but reach one IP. Its wait is measured on its own clock.
   *
   * Market-stream SUBSCRIBEs are never held (their errors state no wait), nor is any other process:
   * several processes on one IP each learn of a ban with their own first request.
   */
  requestPause?: BinanceRequestPauseOption;
}

/** Per-frame, per-channel cache of what a stream name is (a channel's kind never changes). */
type StreamKind = 'depth' | 'trade' | 'aggTrade' | 'bookTicker' | 'other';

function kindOf(channel: string): StreamKind {
  if (isBinanceDiffDepth(channel)) return 'depth';
  const kind = channel.split('@')[1];
  return kind === 'trade' || kind === 'aggTrade' || kind === 'bookTicker' ? kind : 'other';
}

/**
 * False for most streams, true for every diff depth stream (`…@depth`, `…@depth@100ms`, see
 * isBinanceDiffDepth): its last character is `h` or `s`. Others ending so (`@markPrice@1s`) are
 * told apart by the kind.
 */
function mayBeDiffDepth(channel: string): boolean {
  const last = channel.charCodeAt(channel.length - 1);
  return last === 0x68 || last === 0x73;
}

const defaultFetch: BinanceFetch = (url, init) => fetch(url, init);

/**
 * Binance over the common client and supervisor: spot and USDⓈ-M market streams (combined form,
 * live SUBSCRIBE, REST-stitched books, 1024 streams per socket, 5 or 10 frames per second) and spot
 * user data over the WebSocket API. One adapter per endpoint; each connection is one endpoint.
 */
export class BinanceAdapter implements VenueAdapter {
  readonly venue = 'binance';
  readonly market: BinanceMarket;
  readonly frameLimits: Required<FrameLimits>;
  readonly shardBudget: ShardBudget | undefined;
  readonly outboundRate: OutboundRate | undefined;
  readonly maxSocketLifetimeMs: number;
  readonly #config: BinanceSessionConfig;
  readonly #futuresUser: BinanceFuturesUserDataConfig | undefined;
  readonly #flavour: 'spot' | 'futures';
  readonly #kinds = new Map<string, StreamKind>();
  /** Filled for every book frame (the supervisor reads it before the next): no allocation per frame. */
  readonly #sequence: SequenceInfo = { id: 0 };

  constructor(options: BinanceAdapterOptions) {
    if (!BINANCE_MARKETS.includes(options?.market)) {
      throw new ExchangeConnectionError('INVALID_CONFIG', `Binance market must be one of ${BINANCE_MARKETS.join(', ')}`);
    }
    const market = options.market;
    this.market = market;
    this.#flavour = market === 'spot' || market === 'user-data' ? 'spot' : 'futures';
    const userData = isBinanceUserDataMarket(market);
    const d = BINANCE_DEFAULTS;
    const backOff = options.backOff;
    const restUrl = options.restUrl ?? BINANCE_REST_URLS[this.#flavour];
    try {
      const parsed = new URL(restUrl);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new ExchangeConnectionError('INVALID_CONFIG', 'Binance restUrl must be an http: or https: URL');
    }
    const clock = options.clock ?? systemClock;
    this.#config = {
      market,
      restUrl,
      maxStreamsPerRequest: integer('maxStreamsPerRequest', options.maxStreamsPerRequest, d.maxStreamsPerRequest, 1, 1024),
      maxRequestsInFlight: integer('maxRequestsInFlight', options.maxRequestsInFlight, d.maxRequestsInFlight, 1, 100),
      depthSnapshotLimit: integer('depthSnapshotLimit', options.depthSnapshotLimit, d.depthSnapshotLimit, 5, 5000),
      maxBufferedEvents: integer('maxBufferedEvents', options.maxBufferedEvents, d.maxBufferedEvents, 1),
      restTimeoutMs: durationMs('restTimeoutMs', options.restTimeoutMs, d.restTimeoutMs),
      recvWindowMs: integer('recvWindowMs', options.recvWindowMs, d.recvWindowMs, 1, 60_000),
      backOff: {
        maxAttempts: integer('backOff.maxAttempts', backOff?.maxAttempts, d.backOff.maxAttempts, 1),
        baseDelayMs: durationMs('backOff.baseDelayMs', backOff?.baseDelayMs, d.backOff.baseDelayMs, { zero: true }),
        maxDelayMs: durationMs('backOff.maxDelayMs', backOff?.maxDelayMs, d.backOff.maxDelayMs, { zero: true }),
      },
      fetch: options.fetch ?? defaultFetch,
      clock,
      logger: options.logger,
      // Every socket (shard, rebuild, rotation) of the connection and, by default, every other
      // connection of the process on the same limits waits out a ban.
      requestPause: binanceRequestPause(options.requestPause, market, restUrl, clock),
    };
    this.frameLimits = resolveFrameLimits(options.frameLimits, d.frameLimits);
    this.maxSocketLifetimeMs = durationMs('maxSocketLifetimeMs', options.maxSocketLifetimeMs, d.maxSocketLifetimeMs);
    // The message limit is the market streams' (the `/private` socket's pongs count too); the
    // WebSocket API limits request weight instead (429 / -1003, backed off), not frames.
    const rate = options.outboundRate ?? (market === 'user-data' ? undefined : d.outboundRate[this.#flavour]);
    this.outboundRate = rate === undefined ? undefined : resolveOutboundRate(rate);
    this.#futuresUser = market === 'futures-user-data' ? futuresUserConfig(options, this.#config) : undefined;
    if (this.#futuresUser !== undefined) {
      const futuresUser = this.#futuresUser;
      // Only this market fetches something before its socket: the others open theirs at once.
      this.prepareSocket = (url, sessionOptions, signal) =>
        leaseBinanceListenKey(url, requireApiKey(sessionOptions).apiKey, futuresUser, signal);
    }
    this.shardBudget = userData
      ? undefined
      : {
          cost: () => 1,
          limit: integer('maxStreamsPerSocket', options.maxStreamsPerSocket, d.maxStreamsPerSocket, 1, 1024),
          maxShards: integer('maxShards', options.maxShards, d.maxShards, 1, 1_000),
        };
  }

  /**
   * `futures-user-data` only: a listenKey from `POST /fapi/v1/listenKey` before every socket (the
   * first, each rebuild, each rotation), in the socket URL's query.
   */
  readonly prepareSocket?: (url: string, options: VenueSessionOptions, signal: AbortSignal) => Promise<BinanceListenKeyLease>;

  /**
   * How long REST snapshots, listenKey calls and WebSocket API requests still wait because Binance
   * asked for quiet (a 429 / 418 stating `Retry-After`), told to this connection or, with the shared
   * pause, to another one on the same limits; 0 when none.
   */
  get requestPauseMs(): number {
    return this.#config.requestPause.remainingMs;
  }

  createSession(
    rpc: VenueRpc,
    options: VenueSessionOptions,
    onFatal: (error: ExchangeConnectionError) => void,
    prepared?: PreparedSocket,
  ): BinanceStreamSession | BinanceUserDataSession | BinanceFuturesUserDataSession {
    if (this.market === 'user-data') return new BinanceUserDataSession(rpc, apiKeyOf(options), onFatal, this.#config);
    if (this.#futuresUser !== undefined) {
      return new BinanceFuturesUserDataSession(binanceLeaseOf(prepared), apiKeyOf(options)?.apiKey, onFatal, this.#futuresUser);
    }
    return new BinanceStreamSession(rpc, onFatal, this.#config);
  }

  createCodec(): BinanceCodec {
    return new BinanceCodec();
  }

  /** Fails at startup: a user-data connection without a usable key. */
  validateSessionOptions(options: VenueSessionOptions): void {
    if (this.market === 'futures-user-data') {
      requireApiKey(options);
      return;
    }
    if (this.market !== 'user-data') return;
    const key = apiKeyOf(options);
    if (key === undefined) {
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        'a Binance user-data connection needs credentials (API key and secret)',
      );
    }
    assertBinanceApiKey(key);
  }

  /** The market's path on a bare origin; a URL with a path must name this market's endpoint. */
  socketUrl(url: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ExchangeConnectionError('INVALID_CONFIG', 'Binance url is not a valid URL');
    }
    const expected = BINANCE_PATHS[this.market];
    const path = parsed.pathname.replace(/\/+$/, '');
    if (this.market === 'futures-user-data' && parsed.searchParams.has('listenKey')) {
      // The key is fetched before every socket; a fixed one would die within the hour.
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        'Binance futures-user-data url must not carry a listenKey (it is fetched)',
      );
    }
    // The docs give spot's base as `/ws` (raw) and USDⓈ-M's as `/public`, `/market`: the combined form
    // of the same endpoint is taken, since it names the stream of every message. `/private` is taken
    // in its raw form (`/private/ws`): its one stream is the account's.
    const accepted = [
      '',
      expected,
      expected.replace(/\/stream$/, '').replace(/\/ws$/, ''),
      ...(this.market === 'spot' ? ['/ws'] : []),
    ];
    if (!accepted.includes(path)) {
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        `Binance ${this.market} connection: url path must be ${expected} (got ${path.slice(0, 64)})`,
      );
    }
    parsed.pathname = expected;
    return parsed.toString();
  }

  isPrivateChannel(channel: string): boolean {
    return channel === BINANCE_USER_DATA_CHANNEL;
  }

  sequenceOf(channel: string, data: unknown): SequenceInfo | undefined {
    // Runs on every message of every channel: one character before anything else (a channel name
    // from a parsed frame is a fresh string, which a Map lookup would hash and a substring search
    // scan every time). A diff depth stream ends in `@depth` or in a speed `@100ms`.
    if (!mayBeDiffDepth(channel)) return undefined;
    return this.#kind(channel) === 'depth' ? binanceBookSequence(data, this.#flavour, this.#sequence) : undefined;
  }

  isSequencedChannel(channel: string): boolean {
    return this.#kind(channel) === 'depth';
  }

  /** Book `u`, trade `t`, aggregate trade `a`, book ticker `u`: increasing along each channel. */
  overlapKey(channel: string, data: unknown): number | undefined {
    if (typeof data !== 'object' || data === null) return undefined;
    const message = data as { u?: unknown; t?: unknown; a?: unknown };
    let key: unknown;
    switch (this.#kind(channel)) {
      case 'depth':
      case 'bookTicker':
        key = message.u;
        break;
      case 'trade':
        key = message.t;
        break;
      case 'aggTrade':
        key = message.a;
        break;
      default:
        return undefined;
    }
    return typeof key === 'number' ? key : undefined;
  }

  isFatal(error: ExchangeConnectionError): boolean {
    return isBinanceFatal(error);
  }

  #kind(channel: string): StreamKind {
    let kind = this.#kinds.get(channel);
    if (kind === undefined) {
      kind = kindOf(channel);
      // Bounded: channels named by consumers, not by the venue.
      if (this.#kinds.size < 100_000) this.#kinds.set(channel, kind);
    }
    return kind;
  }
}

/** The credential pair is the API key and its secret (HMAC) or PEM private key (Ed25519), whatever the `kind`. */
function apiKeyOf(options: VenueSessionOptions): BinanceApiKey | undefined {
  const credentials = options.credentials;
  return credentials === undefined ? undefined : { apiKey: credentials.clientId, secret: credentials.clientSecret };
}

/** A listenKey lives 60 minutes from its last extension; a keepalive must come before that. */
const MAX_LISTEN_KEY_KEEPALIVE_MS = 3_540_000;

/** A `futures-user-data` connection's API key, or INVALID_CONFIG naming what is missing (the secret is not used). */
function requireApiKey(options: VenueSessionOptions): BinanceApiKey {
  const key = apiKeyOf(options);
  if (key === undefined || typeof key.apiKey !== 'string' || key.apiKey.length === 0) {
    throw new ExchangeConnectionError(
      'INVALID_CONFIG',
      'a Binance futures-user-data connection needs credentials with a non-empty API key (clientId)',
    );
  }
  return key;
}

/** The USDⓈ-M user data settings: the shared REST and back-off ones, the keepalive period, the event list. */
function futuresUserConfig(options: BinanceAdapterOptions, shared: BinanceSessionConfig): BinanceFuturesUserDataConfig {
  const events = options.futuresUserEvents;
  if (
    events !== undefined &&
    (!Array.isArray(events) || events.some((name) => typeof name !== 'string' || !/^[A-Za-z_]{1,64}$/.test(name)))
  ) {
    throw new ExchangeConnectionError('INVALID_CONFIG', 'Binance futuresUserEvents must be event names (letters and _)');
  }
  const keepAliveIntervalMs = durationMs(
    'listenKeyKeepAliveMs',
    options.listenKeyKeepAliveMs,
    BINANCE_DEFAULTS.listenKeyKeepAliveMs,
  );
  if (keepAliveIntervalMs > MAX_LISTEN_KEY_KEEPALIVE_MS) {
    // The venue drops a key 60 minutes after its last extension: a longer period lets it lapse every time.
    throw new ExchangeConnectionError('INVALID_CONFIG', `listenKeyKeepAliveMs: must be <= ${MAX_LISTEN_KEY_KEEPALIVE_MS}`);
  }
  return {
    restUrl: shared.restUrl,
    restTimeoutMs: shared.restTimeoutMs,
    keepAliveIntervalMs,
    events: events === undefined ? undefined : [...new Set([...events, 'listenKeyExpired'])],
    backOff: shared.backOff,
    fetch: shared.fetch,
    clock: shared.clock,
    logger: shared.logger,
    requestPause: shared.requestPause,
  };
}

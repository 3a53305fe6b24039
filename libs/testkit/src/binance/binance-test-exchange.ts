import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBucket, validateRateLimit, type RateLimitOptions } from '../shared/credit-bucket.js';
import { ExchangeHost } from '../shared/exchange-host.js';
import { FeedHub, type FeedCatalog } from '../shared/feeds/feed-hub.js';
import type { MalformedKind } from '../shared/malformed-kind.js';
import { SlidingWindow } from '../shared/sliding-window.js';
import type { SocketSessionInit } from '../shared/socket-session.js';
import { checkedDelay, checkedUpgradeStatus } from '../shared/fault-state.js';
import { VenueTestExchange } from '../shared/venue-test-exchange.js';
import { zeroBinanceCounters, type BinanceCounters } from './binance-counters.js';
import { binanceMalformedFrame, binanceOversizedFrame } from './binance-malformed.js';
import { resolveBinanceOptions, type BinanceTestExchangeOptions, type ResolvedBinanceOptions } from './binance-options.js';
import { handleListenKeyRest, LISTEN_KEY_PATH } from './binance-listen-key-rest.js';
import { ListenKeyStore } from './binance-listen-keys.js';
import { BinancePrivateStreams } from './binance-private-streams.js';
import { handleRest, type RestFaults, type RestRejection } from './binance-rest.js';
import { BinanceSession, type BinanceRoute } from './binance-session.js';
import { StreamRequestHandler } from './binance-stream-requests.js';
import type { BinanceProduct, ParsedStream } from './binance-streams.js';
import { USER_DATA_CHANNEL, WsApiHandler, type UserDataChannel } from './binance-ws-api.js';
import { BinanceBooks, binanceFeedCatalog } from './feeds/binance-feed-catalog.js';
import type { BinanceDepthFeed } from './feeds/depth-feed.js';
import { BinanceUserDataFeed } from './feeds/user-data-feed.js';

export interface BinanceConnectionSnapshot {
  id: number;
  route: BinanceRoute;
  remotePort: number;
  /** Market streams: whether payloads are wrapped `{"stream", "data"}`. */
  combined: boolean;
  /** Streams held (those on the wrong USDⓈ-M path included: they are listed, never delivered). */
  streams: string[];
  /** The most messages this connection sent within one second. */
  peakMessagesPerSecond: number;
  /** WebSocket API: the logged-on key and the user data subscriptions. */
  apiKey?: string;
  userDataSubscriptions: number[];
  openedAt: number;
  framesSent: number;
}

export interface BinanceRequestLogEntry {
  readonly connectionId: number;
  readonly method: string;
  readonly at: number;
}

export interface BinanceUrls {
  /** `ws://…/ws` (raw; append `/<stream>`) */
  readonly spotStream: string;
  /** `ws://…/stream` (combined; add `?streams=a/b`) */
  readonly spotCombined: string;
  readonly wsApi: string;
  /** `http://…` (REST: `/api/v3/depth`, `/fapi/v1/depth`) */
  readonly rest: string;
  /** `ws://…/public` (USDⓈ-M high-frequency data: depth, bookTicker, trade; append `/ws…` or `/stream?…`) */
  readonly usdmPublic: string;
  /** `ws://…/market` (USDⓈ-M regular data: aggTrade, markPrice) */
  readonly usdmMarket: string;
  /** `ws://…/private` (USDⓈ-M user data: `/private/ws?listenKey=<key>[&events=A/B]` or `/private/ws/<key>`) */
  readonly usdmPrivate: string;
}

interface RouteMatch {
  readonly route: BinanceRoute;
  readonly combined: boolean;
  /** Streams named in the URL. */
  readonly streams: string[];
  /** `/private`: the listenKey (query `listenKey`, or the path's last part) and the `events` allow list. */
  readonly listenKey?: string;
  readonly events?: ReadonlySet<string>;
}

/**
 * `/private/ws?listenKey=<key>&events=A/B` (the 2026 form in the venue's change notice) or
 * `/private/ws/<key>` (the form of the other derivatives pages). No key: not a route.
 */
function matchPrivate(url: URL): RouteMatch | undefined {
  const match = /^\/private\/ws(?:\/([^/]+))?\/?$/.exec(url.pathname);
  if (match === null) return undefined;
  const listenKey = url.searchParams.get('listenKey') ?? match[1] ?? '';
  const events = url.searchParams.get('events');
  return {
    route: 'usdm-private',
    combined: false,
    streams: [],
    listenKey,
    ...(events === null ? {} : { events: new Set(events.split('/').filter((name) => name !== '')) }),
  };
}

/**
 * `/ws`, `/ws/a/b`, `/stream?streams=a/b`, their `/public` and `/market` forms, `/ws-api/v3`.
 * VENUES.md says the unrouted USDⓈ-M root was retired in 2026-04; the current docs say unrouted
 * connections still receive the `/public` streams (and nothing else). The docs win, but this single
 * port gives `/ws` to spot, so the unrouted USDⓈ-M form is not served at all (README says so).
 */
function matchRoute(url: URL): RouteMatch | undefined {
  if (url.pathname === '/ws-api/v3') return { route: 'ws-api', combined: false, streams: [] };
  if (url.pathname.startsWith('/private/')) return matchPrivate(url);
  const match = /^(\/public|\/market)?\/(ws|stream)(\/.*)?$/.exec(url.pathname);
  if (match === null) return undefined;
  const [, tier, mode, rest] = match;
  const route: BinanceRoute = tier === '/public' ? 'usdm-public' : tier === '/market' ? 'usdm-market' : 'spot-stream';
  if (mode === 'stream') {
    if (rest !== undefined && rest !== '/') return undefined;
    const streams = (url.searchParams.get('streams') ?? '').split('/').filter((s) => s !== '');
    return { route, combined: true, streams };
  }
  return { route, combined: false, streams: (rest ?? '').split('/').filter((s) => s !== '') };
}

function userDataCatalog(symbols: readonly string[]): FeedCatalog<UserDataChannel> {
  return {
    parse: (channel) => (channel === USER_DATA_CHANNEL ? { kind: 'userData' } : undefined),
    isPrivate: () => true,
    create: (_parsed, random) => new BinanceUserDataFeed(symbols, random),
  };
}

/**
 * A Binance subset on a real server: spot market streams (raw and combined, live SUBSCRIBE), the
 * USDⓈ-M routed market streams (`/public`, `/market`), the spot WebSocket API for user data, and
 * the REST depth snapshots, with server pings, the incoming-message limit, the 24 h lifetime,
 * `serverShutdown`, fault switches and counters for tests.
 */
export class BinanceTestExchange extends VenueTestExchange<BinanceSession> {
  readonly venue = 'binance' as const;
  readonly counters: BinanceCounters = zeroBinanceCounters();
  private readonly log: BinanceRequestLogEntry[] = [];
  private readonly options: ResolvedBinanceOptions;
  protected readonly host: ExchangeHost<BinanceSession>;
  private readonly books: BinanceBooks;
  private readonly hubs: Readonly<Record<BinanceProduct, FeedHub<ParsedStream>>>;
  private readonly userData: FeedHub<UserDataChannel>;
  private readonly streams: StreamRequestHandler;
  private readonly api: WsApiHandler;
  private readonly attempts: SlidingWindow | undefined;
  private readonly weights: Array<{ at: number; weight: number }> = [];
  private readonly revoked = new Set<string>();
  private readonly listenKeys: ListenKeyStore;
  private readonly privateStreams: BinancePrivateStreams;
  private readonly restTimers = new Set<NodeJS.Timeout>();
  private restRejection: RestRejection | null = null;
  /** `banIp`: requests until then answer 418 (the exchange's clock); 0 when not banned. */
  private bannedUntil = 0;
  private listenKeyValidityMs: number;
  private rateLimit: RateLimitOptions | false;

  private constructor(options: ResolvedBinanceOptions) {
    super('BinanceTestExchange');
    this.options = options;
    this.rateLimit = options.rateLimit;
    this.books = new BinanceBooks(options.seed);
    this.hubs = {
      spot: new FeedHub(binanceFeedCatalog('spot', options.symbols.spot, this.books), { ...options, namespace: 'spot' }),
      usdm: new FeedHub(binanceFeedCatalog('usdm', options.symbols.usdm, this.books), { ...options, namespace: 'usdm' }),
    };
    this.userData = new FeedHub(userDataCatalog(options.symbols.spot), options);
    this.privateStreams = new BinancePrivateStreams(options, options.symbols.usdm);
    this.listenKeys = new ListenKeyStore({
      validityMs: () => this.listenKeyValidityMs,
      now: options.now,
      onExpired: (listenKey) => {
        this.counters.listenKeysExpired += 1;
        this.privateStreams.expired(listenKey, this.options.now());
      },
    });
    this.listenKeyValidityMs = options.listenKeyValidityMs;
    const respond = (session: BinanceSession, frame: string, after: ReadonlyArray<() => void> = []): void =>
      this.respond(session, frame, after);
    const log = (session: BinanceSession, method: string): void => this.logRequest(session.id, method);
    this.streams = new StreamRequestHandler({
      options,
      counters: this.counters,
      hubFor: (session) => this.hubs[session.product],
      respond,
      log,
    });
    this.api = new WsApiHandler({
      options,
      counters: this.counters,
      userData: this.userData,
      revokedKeys: this.revoked,
      faults: this.faults,
      respond,
      log,
      spendWeight: (weight) => this.spendWeight(weight),
      bannedUntil: () => this.bannedUntil,
    });
    this.attempts =
      options.connectionLimit === false
        ? undefined
        : new SlidingWindow(options.connectionLimit.max, options.connectionLimit.windowMs);
    this.host = new ExchangeHost<BinanceSession>({
      host: options.host,
      hardMaxPayload: options.maxPayload,
      faults: this.faults,
      now: options.now,
      route: (url) => matchRoute(url)?.route,
      admit: (_route, url) => this.admit(url),
      createSession: (init, _route, url) => this.createSession(init, url),
      onFrame: (session, data, isBinary) => this.onFrame(session, data, isBinary),
      onClosed: (session) => this.onClosed(session),
      onHttpRequest: (request, response, url) =>
        url.pathname === LISTEN_KEY_PATH
          ? this.listenKeyRest(request, response)
          : handleRest(
              {
                options,
                books: this.books,
                onSnapshot: () => {
                  this.counters.depthSnapshots += 1;
                },
                ...this.restFaults(),
                later: (fn) => this.restLater(fn),
              },
              request,
              response,
              url,
            ),
      onEvent: options.onEvent,
    });
  }

  static async start(options?: BinanceTestExchangeOptions): Promise<BinanceTestExchange> {
    const exchange = new BinanceTestExchange(resolveBinanceOptions(options));
    await exchange.listen(exchange.options.port);
    return exchange;
  }

  get urls(): BinanceUrls {
    const ws = this.host.origin;
    return {
      spotStream: `${ws}/ws`,
      spotCombined: `${ws}/stream`,
      wsApi: `${ws}/ws-api/v3`,
      rest: ws.replace(/^ws:/, 'http:'),
      usdmPublic: `${ws}/public`,
      usdmMarket: `${ws}/market`,
      usdmPrivate: `${ws}/private`,
    };
  }

  /** Every stream request and WebSocket API call in order: `{ connectionId, method, at }` (never params). */
  get requestLog(): ReadonlyArray<BinanceRequestLogEntry> {
    return this.log;
  }

  // ---- faults -------------------------------------------------------------------------------

  /** The server sends no pings (and holds nobody to a pong). */
  setHeartbeatsPaused(on: boolean): void {
    this.faults.heartbeatsPaused = on;
  }

  /** Pongs no longer count, so every connection is cut when its ping's pong timeout runs out. */
  setIgnorePongs(on: boolean): void {
    this.faults.ignoreHeartbeatAnswers = on;
  }

  /** Every signed request is refused with -2015 (invalid key, IP or permissions). */
  setRejectAuth(on: boolean): void {
    this.faults.rejectAuth = on;
  }

  /** An extra credit bucket per WebSocket API connection: when empty, requests get 429 / -1003. */
  setRateLimit(limit: RateLimitOptions | false): void {
    this.rateLimit = validateRateLimit(limit);
    for (const session of this.host.sessions()) {
      if (!session.isStreamConnection) session.bucket = createBucket(this.rateLimit, this.options.now());
    }
  }

  /**
   * REST answers this status (429, 418 or 5xx with the venue's body) instead of the snapshot; null
   * ends it. `retryAfterSeconds` is sent as `Retry-After` (as Binance does with a 429 / 418).
   */
  setRestRejection(status: number | null, retryAfterSeconds?: number): void {
    const checked = checkedUpgradeStatus(status);
    if (retryAfterSeconds !== undefined && (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0)) {
      throw new RangeError(`retryAfterSeconds must be a whole number >= 0 (got ${String(retryAfterSeconds)})`);
    }
    this.restRejection = checked === null ? null : { status: checked, retryAfterSeconds };
  }

  /**
   * An IP ban for `durationMs` (null lifts it): every REST request answers 418 with `Retry-After`
   * and every WebSocket API request 418 / -1003 with `data.retryAfter`, as Binance answers a banned
   * IP; market streams flow on. `counters.requestsWhileBanned` counts the requests that still came.
   */
  banIp(durationMs: number | null): void {
    if (durationMs !== null && (!Number.isFinite(durationMs) || durationMs <= 0)) {
      throw new RangeError(`banIp durationMs must be a number > 0 or null (got ${String(durationMs)})`);
    }
    this.bannedUntil = durationMs === null ? 0 : this.options.now() + durationMs;
  }

  sendMalformed(kind: MalformedKind): void {
    const stream = `${(this.options.symbols.spot[0] ?? 'BTCUSDT').toLowerCase()}@trade`;
    for (const session of this.host.sessions()) session.send(binanceMalformedFrame(kind, stream, session.combined));
  }

  /** A valid trade event of exactly `bytes` to every market-stream connection. */
  sendOversized(bytes: number): void {
    const symbol = this.options.symbols.spot[0] ?? 'BTCUSDT';
    for (const session of this.host.sessions()) {
      if (session.isStreamConnection)
        session.send(binanceOversizedFrame(`${symbol.toLowerCase()}@trade`, symbol, bytes, session.combined));
    }
  }

  /**
   * Sends `serverShutdown` to every connection (market streams raw `{e, E}` or combined
   * `{"stream":"!serverShutdown", …}`; the WebSocket API `{"event": {e, E}}`), then, if
   * `closeAfterMs` is given, closes them (1001) that much later. Returns how many got the event.
   */
  sendServerShutdown(options: { closeAfterMs?: number } = {}): number {
    const event = { e: 'serverShutdown', E: this.options.now() };
    let sent = 0;
    for (const session of this.host.sessions()) {
      const frame = !session.isStreamConnection
        ? JSON.stringify({ event })
        : session.combined
          ? JSON.stringify({ stream: '!serverShutdown', data: event })
          : JSON.stringify(event);
      if (session.send(frame)) sent += 1;
      if (options.closeAfterMs !== undefined)
        session.later(checkedDelay(options.closeAfterMs), () => session.close(1001, 'server shutdown', 'server-shutdown'));
    }
    this.counters.serverShutdownsSent += sent;
    return sent;
  }

  /**
   * The key stops working: new signed requests get -2015; a session logged on with it is revoked at
   * its next request (id null, 401, -2015, as documented); its signature subscriptions end with
   * `eventStreamTerminated` now.
   */
  revokeApiKey(apiKey: string): void {
    this.revoked.add(apiKey);
    // Chosen (the docs are silent): the account's listenKey ends with it, so its `/private` sockets
    // get `listenKeyExpired`, and a new key is refused (401 / -2015).
    this.listenKeys.expire(apiKey);
    for (const session of this.host.sessions()) {
      for (const subscription of [...session.subscriptions.values()]) {
        if (subscription.apiKey === apiKey && !subscription.viaLogon) this.api.terminate(session, subscription);
      }
    }
  }

  restoreApiKey(apiKey: string): void {
    this.revoked.delete(apiKey);
  }

  /** Ends user data subscriptions (all, or one account's) with `eventStreamTerminated`; returns how many. */
  endUserDataStreams(apiKey?: string): number {
    let ended = 0;
    for (const session of this.host.sessions()) {
      for (const subscription of [...session.subscriptions.values()]) {
        if (apiKey !== undefined && subscription.apiKey !== apiKey) continue;
        this.api.terminate(session, subscription);
        ended += 1;
      }
    }
    return ended;
  }

  /**
   * USDⓈ-M listenKeys end now (all, or one account's), as if they had lapsed: their `/private`
   * sockets get `listenKeyExpired` and then nothing; a keepalive gets -1125. Returns how many keys.
   */
  expireListenKeys(apiKey?: string): number {
    return this.listenKeys.expire(apiKey);
  }

  /** How long listenKeys created or extended from now on live (the option `listenKeyValidityMs`). */
  setListenKeyValidity(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`setListenKeyValidity needs ms > 0 (got ${ms})`);
    this.listenKeyValidityMs = ms;
  }

  /** Pushes `count` USDⓈ-M user data events (ORDER_TRADE_UPDATE, ACCOUNT_UPDATE) to the account's `/private` sockets; returns how many sockets. */
  publishFuturesUserData(apiKey: string, count = 1): number {
    return this.privateStreams.publish(apiKey, count);
  }

  /** Sends one given event (e.g. a crafted `ACCOUNT_UPDATE`) to the account's live `/private` sockets; returns how many. */
  injectFuturesUserEvent(apiKey: string, event: Readonly<Record<string, unknown>>): number {
    return this.privateStreams.inject(apiKey, event);
  }

  /** The next event of that diff depth stream is lost (spot: `U` jumps; USDⓈ-M: `pu` names an event nobody got). */
  injectBookGap(product: BinanceProduct, stream: string): void {
    const parsed = this.hubs[product].parse(stream);
    if (parsed === undefined || parsed.kind !== 'depth') {
      throw new RangeError(`injectBookGap needs a <symbol>@depth[@speed] stream of ${product} (got ${stream})`);
    }
    (this.hubs[product].streamOf(stream, parsed) as BinanceDepthFeed).injectGap();
  }

  /** Pushes `count` events of a market stream to its subscribers; returns how many subscribers. */
  publish(product: BinanceProduct, stream: string, count = 1): number {
    return this.hubs[product].publish(stream, count);
  }

  /** Pushes `count` user data events of one account to every subscription for it; returns how many subscriptions. */
  publishUserData(apiKey: string, count = 1): number {
    return this.userData.publishTo(USER_DATA_CHANNEL, apiKey, count);
  }

  /** What `GET /api/v3/depth` (spot) or `/fapi/v1/depth` (USDⓈ-M) would answer now. */
  depthSnapshot(
    product: BinanceProduct,
    symbol: string,
    limit = 100,
  ): { lastUpdateId: number; bids: Array<[string, string]>; asks: Array<[string, string]> } {
    return this.books.get(product, symbol).snapshot(limit);
  }

  // ---- introspection ------------------------------------------------------------------------

  connections(): BinanceConnectionSnapshot[] {
    return [...this.host.sessions()].map((session) => {
      const snapshot: BinanceConnectionSnapshot = {
        id: session.id,
        route: session.route,
        remotePort: session.remotePort,
        combined: session.combined,
        streams: session.isStreamConnection ? [...this.hubs[session.product].channelsOf(session), ...session.misrouted] : [],
        peakMessagesPerSecond: session.peakMessagesPerSecond,
        userDataSubscriptions: [...session.subscriptions.keys()],
        openedAt: session.openedAt,
        framesSent: session.framesSent,
      };
      if (session.logon !== undefined) snapshot.apiKey = session.logon.account.apiKey;
      // A `/private` socket names its account, never its listenKey (a bearer token).
      const privateAccount = this.privateStreams.accountOf(session);
      if (privateAccount !== undefined) snapshot.apiKey = privateAccount;
      return snapshot;
    });
  }

  resetCounters(): void {
    Object.assign(this.counters, zeroBinanceCounters());
    this.log.length = 0;
  }

  // ---- internals ----------------------------------------------------------------------------

  protected beforeStop(): void {
    for (const timer of this.restTimers) clearTimeout(timer);
    this.restTimers.clear();
    for (const hub of [...Object.values(this.hubs), this.userData]) hub.clear();
    this.privateStreams.clear();
    this.listenKeys.clear();
  }

  private admit(url: URL): number | null {
    if (this.attempts !== undefined && !this.attempts.record(this.options.now())) {
      this.counters.connectionsRefused += 1;
      return 429;
    }
    const match = matchRoute(url);
    // Chosen: an unknown or ended listenKey is refused (400) rather than opened and left silent, so a
    // client's mistake shows at once.
    if (match?.route === 'usdm-private') return this.listenKeys.accountOf(match.listenKey ?? '') === undefined ? 400 : null;
    if (match === undefined || match.streams.length === 0) return null;
    // The docs give no answer for a URL naming unknown or too many streams; a 400 surfaces the mistake at once.
    const product: BinanceProduct = match.route === 'spot-stream' ? 'spot' : 'usdm';
    const known = match.streams.every((stream) => this.hubs[product].parse(stream) !== undefined);
    return known && new Set(match.streams).size <= this.options.maxStreamsPerConnection[product] ? null : 400;
  }

  private createSession(init: SocketSessionInit, url: URL): BinanceSession {
    this.counters.connections += 1;
    const match = matchRoute(url) ?? { route: 'spot-stream' as const, combined: false, streams: [] };
    const product: BinanceProduct = match.route === 'spot-stream' || match.route === 'ws-api' ? 'spot' : 'usdm';
    const limit = this.options.incomingMessageLimit;
    const session = new BinanceSession({
      ...init,
      route: match.route,
      combined: match.combined,
      pingIntervalMs: this.options.pingIntervalMs[product],
      pongTimeoutMs: this.options.pongTimeoutMs[product],
      lifetimeMs: this.options.connectionLifetimeMs,
      messagesPerSecond: match.route === 'ws-api' || limit === false ? undefined : limit[product],
      bucket: match.route === 'ws-api' ? createBucket(this.rateLimit, this.options.now()) : undefined,
      returnRateLimits: url.searchParams.get('returnRateLimits') !== 'false',
      hooks: {
        onPingSent: () => {
          this.counters.pingsSent += 1;
        },
        onPongAnswered: () => {
          this.counters.pongsReceived += 1;
        },
        onPongTimeout: (late) => {
          this.counters.pongTimeouts += 1;
          late.close(1000, 'pong timeout', 'heartbeat-timeout');
        },
        onLifetimeOver: (old) => {
          this.counters.lifetimeCloses += 1;
          old.close(1000, 'connection lifetime exceeded', 'lifetime');
        },
        onMessageCounted: (counted, count, overLimit) => {
          this.counters.messagesIn += 1;
          if (count > this.counters.peakMessagesPerSecond) this.counters.peakMessagesPerSecond = count;
          if (overLimit && counted.serverCloseReason === undefined) {
            this.counters.messageRateCloses += 1;
            counted.close(1008, 'too many messages', 'message-rate');
          }
        },
      },
    });
    if (match.streams.length > 0) {
      const outcome = this.streams.subscribe(session, match.streams, true);
      if (outcome.ok) for (const activate of outcome.after) activate();
    }
    const account = match.listenKey === undefined ? undefined : this.listenKeys.accountOf(match.listenKey);
    if (match.listenKey !== undefined && account !== undefined) {
      this.counters.privateConnections += 1;
      this.privateStreams.attach(session, match.listenKey, account, match.events);
    }
    return session;
  }

  private onFrame(session: BinanceSession, data: Buffer, isBinary: boolean): void {
    if (!session.countMessage() || this.faults.blackHole) return;
    if (isBinary) {
      this.counters.malformedIn += 1;
      return;
    }
    // The `/private` socket carries the account's events only; what a client sends there is not answered.
    if (session.route === 'usdm-private') return;
    const text = data.toString('utf8');
    if (session.isStreamConnection) this.streams.handle(session, text);
    else this.api.handle(session, text);
  }

  private onClosed(session: BinanceSession): void {
    this.privateStreams.detach(session);
    if (session.isStreamConnection) this.hubs[session.product].removeAll(session);
    for (const subscription of session.subscriptions.values()) this.userData.removeAll(subscription);
    session.subscriptions.clear();
  }

  private respond(session: BinanceSession, frame: string, after: ReadonlyArray<() => void>): void {
    const send = (): void => {
      session.send(frame);
      for (const fn of after) fn();
    };
    const delay = this.faults.responseDelayMs;
    if (delay > 0) session.later(delay, send);
    else send();
  }

  /** The fault switches every REST path answers first. */
  private restFaults(): RestFaults {
    return {
      rejection: () => this.restRejection,
      bannedUntil: () => this.bannedUntil,
      onBannedRequest: () => {
        this.counters.requestsWhileBanned += 1;
      },
    };
  }

  private listenKeyRest(request: IncomingMessage, response: ServerResponse): true {
    handleListenKeyRest(
      {
        keys: this.listenKeys,
        counters: this.counters,
        isAccount: (apiKey) => this.options.accounts.some((account) => account.apiKey === apiKey),
        isRefused: (apiKey) => this.revoked.has(apiKey) || this.faults.rejectAuth,
        options: this.options,
        ...this.restFaults(),
        later: (fn) => this.restLater(fn),
      },
      request,
      response,
    );
    return true;
  }

  private restLater(fn: () => void): void {
    const delay = this.faults.responseDelayMs;
    if (delay <= 0) return fn();
    const timer = setTimeout(() => {
      this.restTimers.delete(timer);
      fn();
    }, delay);
    this.restTimers.add(timer);
  }

  /** The WebSocket API's REQUEST_WEIGHT window (one minute, per exchange standing in for per IP). */
  private spendWeight(weight: number): { ok: boolean; used: number; retryAfter: number } {
    const now = this.options.now();
    while (this.weights.length > 0 && (this.weights[0]?.at ?? now) <= now - 60_000) this.weights.shift();
    const used = this.weights.reduce((sum, entry) => sum + entry.weight, 0);
    const retryAfter = (this.weights[0]?.at ?? now) + 60_000;
    if (used + weight > this.options.requestWeightPerMinute) return { ok: false, used, retryAfter };
    this.weights.push({ at: now, weight });
    return { ok: true, used: used + weight, retryAfter };
  }

  private logRequest(connectionId: number, method: string): void {
    this.log.push({ connectionId, method, at: this.options.now() });
    const overflow = this.log.length - this.options.requestLogLimit;
    if (overflow > 0) this.log.splice(0, overflow);
  }
}

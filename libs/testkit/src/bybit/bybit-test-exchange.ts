import { createBucket, validateRateLimit, type RateLimitOptions } from '../shared/credit-bucket.js';
import { ExchangeHost } from '../shared/exchange-host.js';
import { FeedHub } from '../shared/feeds/feed-hub.js';
import type { MalformedKind } from '../shared/malformed-kind.js';
import { SlidingWindow } from '../shared/sliding-window.js';
import type { SocketSessionInit } from '../shared/socket-session.js';
import { VenueTestExchange } from '../shared/venue-test-exchange.js';
import { zeroBybitCounters, type BybitCounters } from './bybit-counters.js';
import { BybitErrorCode, isBybitErrorCode, type BybitErrorCodeValue } from './bybit-errors.js';
import { bybitMalformedFrame, bybitOversizedMessage } from './bybit-malformed.js';
import { BybitOpHandler, type BybitOpLogEntry, type BybitRuntime } from './bybit-ops.js';
import { resolveBybitOptions, type BybitTestExchangeOptions, type ResolvedBybitOptions } from './bybit-options.js';
import { BybitSession } from './bybit-session.js';
import { BYBIT_MARKETS, type BybitMarket, type ParsedTopic } from './bybit-topics.js';
import { bybitFeedCatalog } from './feeds/bybit-feed-catalog.js';
import type { BybitOrderbookFeed } from './feeds/orderbook-feed.js';

export interface BybitConnectionSnapshot {
  id: number;
  market: BybitMarket;
  connId: string;
  remotePort: number;
  /** Authenticated with `auth` on this socket (private endpoint only). */
  authenticated: boolean;
  apiKey?: string;
  subscriptions: string[];
  /** Characters of the topics held (Bybit's 21,000-character budget on public connections). */
  argsChars: number;
  /** Idle cut of this connection: `idleTimeoutMs`, or `max_active_time` on the private endpoint. */
  idleTimeoutMs: number;
  openedAt: number;
  /** Frames the exchange wrote to this socket. */
  framesSent: number;
}

const PATHS: Readonly<Record<BybitMarket, string>> = {
  spot: '/v5/public/spot',
  linear: '/v5/public/linear',
  private: '/v5/private',
};

/** `max_active_time` as the docs define it: `30s`…`600s` or `1m`…`10m`; anything else is refused. */
function maxActiveTimeSec(raw: string): number | undefined {
  const match = /^(\d+)(s|m)$/.exec(raw);
  if (match === null) return undefined;
  const seconds = Number(match[1]) * (match[2] === 'm' ? 60 : 1);
  return seconds >= 30 && seconds <= 600 ? seconds : undefined;
}

function marketOf(pathname: string): BybitMarket | undefined {
  return BYBIT_MARKETS.find((market) => PATHS[market] === pathname);
}

/**
 * A Bybit v5 WebSocket subset on a real server: public spot and linear streams (tickers, orderbook,
 * publicTrade) and the private stream (auth, order, execution, position, wallet), with the venue's
 * envelopes, limits and idle cut, fault switches and counters for tests.
 */
export class BybitTestExchange extends VenueTestExchange<BybitSession> {
  readonly venue = 'bybit' as const;
  readonly counters: BybitCounters = zeroBybitCounters();
  private readonly log: BybitOpLogEntry[] = [];
  private readonly options: ResolvedBybitOptions;
  private readonly runtime: BybitRuntime;
  private readonly handler: BybitOpHandler;
  protected readonly host: ExchangeHost<BybitSession>;
  private readonly attempts: SlidingWindow | undefined;
  private rateLimit: RateLimitOptions | false;
  private resnapshotTimer: NodeJS.Timeout | undefined;

  private constructor(options: ResolvedBybitOptions) {
    super('BybitTestExchange');
    this.options = options;
    this.rateLimit = options.rateLimit;
    const hub = (market: BybitMarket, symbols: readonly string[]): FeedHub<ParsedTopic> =>
      new FeedHub(bybitFeedCatalog(market, symbols), { ...options, namespace: market });
    this.runtime = {
      options,
      counters: this.counters,
      faults: this.faults,
      hubs: {
        spot: hub('spot', options.symbols.spot),
        linear: hub('linear', options.symbols.linear),
        private: hub('private', options.symbols.linear),
      },
      authRejection: null,
      opRejection: null,
    };
    this.handler = new BybitOpHandler(this.runtime, this.log);
    this.attempts =
      options.connectionLimit === false
        ? undefined
        : new SlidingWindow(options.connectionLimit.max, options.connectionLimit.windowMs);
    this.host = new ExchangeHost<BybitSession>({
      host: options.host,
      hardMaxPayload: options.maxPayload,
      faults: this.faults,
      now: options.now,
      route: (url) => marketOf(url.pathname),
      admit: (route, url) => this.admit(route as BybitMarket, url),
      createSession: (init, route, url) => this.createSession(init, route as BybitMarket, url),
      onFrame: (session, data, isBinary) => this.handler.handleFrame(session, data, isBinary),
      onClosed: (session) => this.runtime.hubs[session.market].removeAll(session),
      onEvent: options.onEvent,
    });
  }

  static async start(options?: BybitTestExchangeOptions): Promise<BybitTestExchange> {
    const exchange = new BybitTestExchange(resolveBybitOptions(options));
    await exchange.listen(exchange.options.port);
    return exchange;
  }

  /** `ws://127.0.0.1:<port>/v5/public/spot` and so on. */
  url(market: BybitMarket): string {
    return `${this.host.origin}${PATHS[market]}`;
  }

  get urls(): Readonly<Record<BybitMarket, string>> {
    return { spot: this.url('spot'), linear: this.url('linear'), private: this.url('private') };
  }

  /** Every op received, in order: `{ connectionId, op, at }` (never args, so never keys or signatures). */
  get opLog(): ReadonlyArray<BybitOpLogEntry> {
    return this.log;
  }

  // ---- faults -------------------------------------------------------------------------------

  /** `{"op":"ping"}` goes unanswered (the connection is still kept alive by it). */
  setHeartbeatsPaused(on: boolean): void {
    this.faults.heartbeatsPaused = on;
  }

  /**
   * Every `auth` fails: `true` as an invalid key (10003), or with the code given (10004 signature,
   * 10005 permissions, 10010 IP, 10016 restarting…); `false` ends it.
   */
  setRejectAuth(on: boolean | BybitErrorCodeValue): void {
    if (typeof on === 'number' && !isBybitErrorCode(on)) throw new RangeError(`setRejectAuth: unknown Bybit code ${String(on)}`);
    this.faults.rejectAuth = on !== false;
    this.runtime.authRejection = on === false ? null : on === true ? BybitErrorCode.InvalidApiKey : on;
  }

  /** Every op but ping fails with `code` (e.g. 10016/10019 while the service restarts); null ends it. */
  setOpRejection(code: BybitErrorCodeValue | null): void {
    if (code !== null && !isBybitErrorCode(code)) throw new RangeError(`setOpRejection: unknown Bybit code ${String(code)}`);
    this.runtime.opRejection = code;
  }

  /** Replaces every connection's bucket with a full one under the new limit. */
  setRateLimit(limit: RateLimitOptions | false): void {
    this.rateLimit = validateRateLimit(limit);
    for (const session of this.host.sessions()) session.bucket = createBucket(this.rateLimit, this.options.now());
  }

  sendMalformed(kind: MalformedKind): void {
    for (const session of this.host.sessions()) {
      session.send(bybitMalformedFrame(kind, `tickers.${this.options.symbols.linear[0] ?? 'BTCUSDT'}`, session.connId));
    }
  }

  /** A valid ticker snapshot of exactly `bytes` to every connection. */
  sendOversized(bytes: number): void {
    const symbol = this.options.symbols.linear[0] ?? 'BTCUSDT';
    const frame = bybitOversizedMessage(`tickers.${symbol}`, symbol, bytes);
    for (const session of this.host.sessions()) session.send(frame);
  }

  /** The next delta of that `orderbook.{depth}.{symbol}` topic skips one `u`. */
  injectBookGap(market: BybitMarket, topic: string): void {
    this.bookFeed(market, topic).injectGap();
  }

  /** The next message of that book is a snapshot with `u = 1`, as after a Bybit service restart. */
  injectBookRestart(market: BybitMarket, topic: string): void {
    this.bookFeed(market, topic).injectRestart();
  }

  /** Pushes `count` messages of `topic` to its subscribers on `market`; returns how many subscribers. */
  publish(market: BybitMarket, topic: string, count = 1): number {
    return this.runtime.hubs[market].publish(topic, count);
  }

  // ---- introspection ------------------------------------------------------------------------

  connections(): BybitConnectionSnapshot[] {
    return [...this.host.sessions()].map((session) => {
      const snapshot: BybitConnectionSnapshot = {
        id: session.id,
        market: session.market,
        connId: session.connId,
        remotePort: session.remotePort,
        authenticated: session.account !== undefined,
        subscriptions: this.runtime.hubs[session.market].channelsOf(session),
        argsChars: session.argsChars,
        idleTimeoutMs: session.idleTimeoutMs,
        openedAt: session.openedAt,
        framesSent: session.framesSent,
      };
      if (session.account !== undefined) snapshot.apiKey = session.account.apiKey;
      return snapshot;
    });
  }

  /** Zeroes the counters in place and empties `opLog`. */
  resetCounters(): void {
    Object.assign(this.counters, zeroBybitCounters());
    this.log.length = 0;
  }

  // ---- internals ----------------------------------------------------------------------------

  protected override afterListen(): void {
    if (this.options.level1ResnapshotMs > 0) {
      this.resnapshotTimer = setInterval(() => this.resnapshotLevel1(), Math.min(1000, this.options.level1ResnapshotMs / 3));
    }
  }

  protected beforeStop(): void {
    if (this.resnapshotTimer !== undefined) clearInterval(this.resnapshotTimer);
    this.resnapshotTimer = undefined;
    for (const hub of Object.values(this.runtime.hubs)) hub.clear();
  }

  private admit(market: BybitMarket, url: URL): number | null {
    if (this.attempts !== undefined && !this.attempts.record(this.options.now())) {
      this.counters.connectionsRefused += 1;
      return 429;
    }
    // The docs give no answer for a bad max_active_time; refusing the upgrade surfaces the mistake at once.
    const raw = market === 'private' ? url.searchParams.get('max_active_time') : null;
    return raw !== null && maxActiveTimeSec(raw) === undefined ? 400 : null;
  }

  private createSession(init: SocketSessionInit, market: BybitMarket, url: URL): BybitSession {
    this.counters.connections += 1;
    const raw = market === 'private' ? url.searchParams.get('max_active_time') : null;
    const activeSec = raw === null ? undefined : maxActiveTimeSec(raw);
    return new BybitSession({
      ...init,
      market,
      bucket: createBucket(this.rateLimit, this.options.now()),
      idleTimeoutMs: activeSec === undefined ? this.options.idleTimeoutMs : activeSec * 1000 * this.options.activeTimeScale,
      onIdle: (idle) => {
        this.counters.idleCloses += 1;
        idle.close(1000, 'idle timeout', 'idle-timeout');
      },
    });
  }

  private bookFeed(market: BybitMarket, topic: string): BybitOrderbookFeed {
    const hub = this.runtime.hubs[market];
    const parsed = hub.parse(topic);
    if (parsed === undefined || parsed.kind !== 'orderbook') {
      throw new RangeError(`needs an orderbook.{depth}.{symbol} topic of the ${market} endpoint (got ${topic})`);
    }
    return hub.streamOf(topic, parsed) as BybitOrderbookFeed;
  }

  /** Bybit: a level-1 book without a change for 3 s is sent again as a snapshot with the same `u`. */
  private resnapshotLevel1(): void {
    const due = performance.now() - this.options.level1ResnapshotMs;
    for (const market of ['spot', 'linear'] as const) {
      const hub = this.runtime.hubs[market];
      for (const topic of hub.activeChannels()) {
        if (!topic.startsWith('orderbook.1.')) continue;
        const last = hub.lastPublishedAt(topic);
        if (last !== undefined && last > due) continue;
        hub.push(topic, 1, (stream, now) => (stream as BybitOrderbookFeed).resnapshot(now));
      }
    }
  }
}

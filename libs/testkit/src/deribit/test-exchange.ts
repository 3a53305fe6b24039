import { createBucket, validateRateLimit, type RateLimitOptions } from '../shared/credit-bucket.js';
import { ExchangeHost } from '../shared/exchange-host.js';
import { FeedHub } from '../shared/feeds/feed-hub.js';
import type { MalformedKind } from '../shared/malformed-kind.js';
import type { SocketSessionInit } from '../shared/socket-session.js';
import { VenueTestExchange } from '../shared/venue-test-exchange.js';
import { AuthService } from './auth-service.js';
import { ConnectionSession } from './connection-session.js';
import { deribitFeedCatalog } from './feeds/deribit-feed-catalog.js';
import { malformedFrame, oversizedNotification } from './malformed-frames.js';
import type { CancelOnDisconnectScope } from './methods/cancel-on-disconnect-methods.js';
import type { ExchangeRuntime } from './methods/method-context.js';
import { RequestDispatcher, microsNow, type RequestLogEntry } from './request-dispatcher.js';
import { resetCounters, zeroCounters, type TestExchangeCounters } from './test-exchange-counters.js';
import { resolveOptions, type ResolvedOptions, type TestExchangeOptions } from './test-exchange-options.js';

export interface TestConnectionSnapshot {
  id: number;
  remotePort: number;
  /** Bound to an access token that is still valid. */
  authenticated: boolean;
  clientId?: string;
  scope?: string;
  subscriptions: string[];
  heartbeatIntervalSec?: number;
  cancelOnDisconnect: { enabled: boolean; scope: CancelOnDisconnectScope };
  openedAt: number;
  /** Frames the exchange wrote to this socket: a client that has received this many has seen everything sent so far. */
  framesSent: number;
}

export interface CancelOnDisconnectFiring {
  connectionId: number;
  clientId: string;
  scope: CancelOnDisconnectScope;
  at: number;
  /** Open orders the account's generated user.orders streams hold (what Deribit would cancel). */
  wouldCancel: number;
}

/**
 * A Deribit API v2 subset on a real WebSocket server, with fault switches and introspection for
 * tests. Lifecycle and fault knobs live here; the protocol lives in the dispatcher and methods.
 */
export class TestExchange extends VenueTestExchange<ConnectionSession> {
  /** Which venue's protocol this exchange speaks (the CLI and control API dispatch on it). */
  readonly venue = 'deribit' as const;
  readonly counters: TestExchangeCounters = zeroCounters();
  private readonly log: RequestLogEntry[] = [];
  private readonly firings: CancelOnDisconnectFiring[] = [];
  private readonly options: ResolvedOptions;
  private readonly runtime: ExchangeRuntime;
  private readonly dispatcher: RequestDispatcher;
  protected readonly host: ExchangeHost<ConnectionSession>;
  private rateLimit: RateLimitOptions | false;
  private connectionLifetimeMs: number;

  private constructor(options: ResolvedOptions) {
    super('TestExchange');
    this.options = options;
    this.rateLimit = options.rateLimit;
    this.connectionLifetimeMs = options.connectionLifetimeMs;
    this.runtime = {
      options,
      counters: this.counters,
      auth: new AuthService(options.accounts, this.faults, options.tokenTtlSec, options.signatureMaxSkewMs, options.now),
      feeds: new FeedHub(deribitFeedCatalog(options.instruments), options),
      faults: this.faults,
      accountCancelOnDisconnect: new Set<string>(),
    };
    this.dispatcher = new RequestDispatcher(this.runtime, this.log);
    this.host = new ExchangeHost<ConnectionSession>({
      host: options.host,
      hardMaxPayload: Math.max(options.maxPayload * 4, 1 << 20),
      faults: this.faults,
      now: options.now,
      route: (url) => (url.pathname === options.path ? 'api' : undefined),
      createSession: (init) => this.createSession(init),
      onFrame: (session, data) => this.dispatcher.handleFrame(session, data, microsNow(options.now)),
      onClosed: (session) => this.onClose(session),
      onEvent: options.onEvent,
    });
  }

  static async start(options?: TestExchangeOptions): Promise<TestExchange> {
    const exchange = new TestExchange(resolveOptions(options));
    await exchange.listen(exchange.options.port);
    return exchange;
  }

  get url(): string {
    return `${this.host.origin}${this.options.path}`;
  }

  get requestLog(): ReadonlyArray<RequestLogEntry> {
    return this.log;
  }

  get cancelOnDisconnectFirings(): ReadonlyArray<CancelOnDisconnectFiring> {
    return this.firings;
  }

  // ---- faults -------------------------------------------------------------------------------

  /** A close frame with `code` to one socket (by its `connections()` id); false if it is gone. */
  closeConnection(id: number, code = 1000, reason = ''): boolean {
    for (const session of this.host.sessions()) {
      if (session.id !== id) continue;
      session.close(code, reason);
      return true;
    }
    return false;
  }

  setHeartbeatsPaused(on: boolean): void {
    this.faults.heartbeatsPaused = on;
  }

  setIgnoreTestAnswers(on: boolean): void {
    this.faults.ignoreHeartbeatAnswers = on;
  }

  setRejectAuth(on: boolean): void {
    this.faults.rejectAuth = on;
  }

  expireTokens(): void {
    this.runtime.auth.expireAccessTokens();
  }

  /** Replaces every connection's bucket with a full one under the new limit. */
  setRateLimit(limit: TestExchangeOptions['rateLimit']): void {
    this.rateLimit = validateRateLimit(limit);
    for (const session of this.host.sessions()) session.bucket = createBucket(this.rateLimit, this.options.now());
  }

  sendMalformed(kind: MalformedKind): void {
    const frame = malformedFrame(kind);
    for (const session of this.host.sessions()) session.send(frame);
  }

  sendOversized(bytes: number): void {
    const frame = oversizedNotification(`ticker.${this.options.instruments[0] ?? 'BTC-PERPETUAL'}.100ms`, bytes);
    for (const session of this.host.sessions()) session.send(frame);
  }

  /**
   * Sockets opened from now on are closed (1000) this long after they opened; 0 or null: no limit.
   * Sockets already open keep the limit they were opened under.
   */
  setConnectionLifetime(ms: number | null): void {
    if (ms !== null && (!Number.isFinite(ms) || ms < 0))
      throw new RangeError(`setConnectionLifetime needs ms >= 0 or null (got ${ms})`);
    this.connectionLifetimeMs = ms ?? 0;
  }

  /**
   * Sends a JSON-RPC notification `{ method, params }` to every socket, for venue notices Deribit's
   * subset here does not model (a test pairs it with an adapter that reads it, e.g. as a rotate
   * notice). Returns how many sockets it was sent to.
   */
  notifyAll(method: string, params: Record<string, unknown> = {}): number {
    const frame = JSON.stringify({ jsonrpc: '2.0', method, params });
    let sent = 0;
    for (const session of this.host.sessions()) if (session.send(frame)) sent += 1;
    this.counters.noticesSent += sent;
    return sent;
  }

  /** The next change on that `book.{instrument}.{interval}` channel skips a `change_id`. */
  injectBookGap(channel: string): void {
    const parsed = this.runtime.feeds.parse(channel);
    if (parsed === undefined || parsed.kind !== 'book') {
      throw new RangeError(`injectBookGap needs a book.{instrument}.{interval} channel (got ${channel})`);
    }
    this.runtime.feeds.streamOf(channel, parsed).injectGap?.();
  }

  publish(channel: string, count = 1): number {
    return this.runtime.feeds.publish(channel, count);
  }

  // ---- introspection ------------------------------------------------------------------------

  connections(): TestConnectionSnapshot[] {
    return [...this.host.sessions()].map((session) => {
      const auth = session.auth;
      const authenticated = auth !== undefined && this.runtime.auth.validate(auth.accessToken) !== undefined;
      const accountCod = auth !== undefined && this.runtime.accountCancelOnDisconnect.has(auth.clientId);
      const snapshot: TestConnectionSnapshot = {
        id: session.id,
        remotePort: session.remotePort,
        authenticated,
        subscriptions: this.runtime.feeds.channelsOf(session),
        cancelOnDisconnect: {
          enabled: session.cancelOnDisconnectOwner !== undefined || accountCod,
          scope: session.cancelOnDisconnectOwner === undefined && accountCod ? 'account' : 'connection',
        },
        openedAt: session.openedAt,
        framesSent: session.framesSent,
      };
      if (auth !== undefined) {
        snapshot.clientId = auth.clientId;
        snapshot.scope = auth.scope;
      }
      if (session.heartbeat.intervalSec !== undefined) snapshot.heartbeatIntervalSec = session.heartbeat.intervalSec;
      return snapshot;
    });
  }

  /** Zeroes the counters and empties `requestLog` and `cancelOnDisconnectFirings`. */
  resetCounters(): void {
    resetCounters(this.counters);
    this.log.length = 0;
    this.firings.length = 0;
  }

  // ---- internals ----------------------------------------------------------------------------

  protected override listeningUrl(): string {
    return this.url;
  }

  protected beforeStop(): void {
    this.runtime.feeds.clear();
  }

  /** A venue restart forgets every token too. */
  protected override beforeRelisten(): void {
    this.runtime.auth.forgetTokens();
  }

  private createSession(init: SocketSessionInit): ConnectionSession {
    this.counters.connections += 1;
    const session = new ConnectionSession({
      ...init,
      bucket: createBucket(this.rateLimit, this.options.now()),
      onHeartbeatMissed: (missed) => {
        this.counters.heartbeatCloses += 1;
        missed.close(1000, 'heartbeat timeout: test_request not answered', 'heartbeat-timeout');
      },
      onTestRequestSent: () => {
        this.counters.testRequestsSent += 1;
      },
    });
    if (this.connectionLifetimeMs > 0) {
      session.later(this.connectionLifetimeMs, () => {
        this.counters.lifetimeCloses += 1;
        session.close(1000, 'connection lifetime exceeded', 'lifetime');
      });
    }
    return session;
  }

  private onClose(session: ConnectionSession): void {
    this.runtime.feeds.removeAll(session);
    this.recordCancelOnDisconnect(session);
  }

  private recordCancelOnDisconnect(session: ConnectionSession): void {
    const owner = session.cancelOnDisconnectOwner;
    const sessionClient = session.auth?.clientId;
    let clientId: string;
    let scope: CancelOnDisconnectScope;
    if (owner !== undefined) {
      clientId = owner;
      scope = 'connection';
    } else if (sessionClient !== undefined && this.runtime.accountCancelOnDisconnect.has(sessionClient)) {
      clientId = sessionClient;
      scope = 'account';
    } else {
      return;
    }
    this.firings.push({
      connectionId: session.id,
      clientId,
      scope,
      at: this.options.now(),
      wouldCancel: this.openOrders(clientId),
    });
    // Bounded like requestLog, so a soak of thousands of reconnects does not grow the exchange.
    const overflow = this.firings.length - this.options.requestLogLimit;
    if (overflow > 0) this.firings.splice(0, overflow);
  }

  /** Open orders generated for an account's user.orders streams. */
  private openOrders(clientId: string): number {
    let total = 0;
    for (const [key, stream] of this.runtime.feeds.entries()) {
      if (key.startsWith(`${clientId}\u0000user.orders.`)) total += stream.openOrders?.() ?? 0;
    }
    return total;
  }
}

import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { AuthService } from './auth-service.js';
import { ConnectionSession } from './connection-session.js';
import { noFaults, type FaultState } from './fault-state.js';
import { FeedHub } from './feeds/feed-hub.js';
import { malformedFrame, oversizedNotification, type MalformedKind } from './malformed-frames.js';
import type { CancelOnDisconnectScope } from './methods/cancel-on-disconnect-methods.js';
import type { ExchangeRuntime } from './methods/method-context.js';
import { createBucket } from './rate-limiter.js';
import { RequestDispatcher, microsNow, type RequestLogEntry } from './request-dispatcher.js';
import { resetCounters, zeroCounters, type TestExchangeCounters } from './test-exchange-counters.js';
import {
  resolveOptions,
  validateRateLimit,
  type RateLimitOptions,
  type ResolvedOptions,
  type TestExchangeEvent,
  type TestExchangeOptions,
} from './test-exchange-options.js';
import { WsListener } from './ws-listener.js';

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
}

export interface CancelOnDisconnectFiring {
  connectionId: number;
  clientId: string;
  scope: CancelOnDisconnectScope;
  at: number;
  /** Open orders the account's generated user.orders streams hold (what Deribit would cancel). */
  wouldCancel: number;
}

interface LiveConnection {
  readonly session: ConnectionSession;
  readonly closed: Promise<void>;
}

/** Close codes a close frame may carry (RFC 6455 §7.4; 1005/1006/1015 are never sent). */
function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * A Deribit API v2 subset on a real WebSocket server, with fault switches and introspection for
 * tests. Lifecycle and fault knobs live here; the protocol lives in the dispatcher and methods.
 */
export class TestExchange {
  readonly counters: TestExchangeCounters = zeroCounters();
  private readonly log: RequestLogEntry[] = [];
  private readonly firings: CancelOnDisconnectFiring[] = [];
  private readonly options: ResolvedOptions;
  private readonly faults: FaultState = noFaults();
  private readonly runtime: ExchangeRuntime;
  private readonly dispatcher: RequestDispatcher;
  private readonly listener: WsListener;
  private readonly live = new Map<number, LiveConnection>();
  private rateLimit: RateLimitOptions | false;
  private nextConnectionId = 0;
  private boundPort = 0;
  private running = false;
  private stopping: Promise<void> | undefined;

  private constructor(options: ResolvedOptions) {
    this.options = options;
    this.rateLimit = options.rateLimit;
    this.runtime = {
      options,
      counters: this.counters,
      auth: new AuthService(options.accounts, options.tokenTtlSec, options.signatureMaxSkewMs, options.now),
      feeds: new FeedHub(options),
      faults: this.faults,
      accountCancelOnDisconnect: new Set<string>(),
    };
    this.dispatcher = new RequestDispatcher(this.runtime, this.log);
    this.listener = new WsListener({
      host: options.host,
      path: options.path,
      hardMaxPayload: Math.max(options.maxPayload * 4, 1 << 20),
      upgradeRejection: () => this.faults.upgradeRejection,
      onConnection: (socket, request) => this.accept(socket, request),
      onUpgradeRejected: (status) => this.emit({ type: 'upgrade-rejected', status }),
    });
  }

  static async start(options?: TestExchangeOptions): Promise<TestExchange> {
    const exchange = new TestExchange(resolveOptions(options));
    await exchange.listen(exchange.options.port);
    return exchange;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `ws://${host}:${this.boundPort}${this.options.path}`;
  }

  get requestLog(): ReadonlyArray<RequestLogEntry> {
    return this.log;
  }

  get cancelOnDisconnectFirings(): ReadonlyArray<CancelOnDisconnectFiring> {
    return this.firings;
  }

  /** Terminates every socket, clears every timer, closes the listener. Idempotent. */
  stop(): Promise<void> {
    if (!this.running) return this.stopping ?? Promise.resolve();
    this.running = false;
    this.stopping = this.shutdown();
    return this.stopping;
  }

  /** Like a venue restart: every session and token is lost, then it listens on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    this.runtime.auth.forgetTokens();
    await this.listen(this.boundPort);
  }

  // ---- faults -------------------------------------------------------------------------------

  /** A close frame with `code` to every socket; codes that cannot be sent (1005/1006/1015) terminate. */
  closeAll(code = 1000, reason = ''): void {
    for (const { session } of this.live.values()) {
      if (isSendableCloseCode(code)) session.close(code, reason);
      else session.terminate();
    }
  }

  terminateAll(): void {
    for (const { session } of this.live.values()) session.terminate();
  }

  setBlackHole(on: boolean): void {
    this.faults.blackHole = on;
  }

  setHeartbeatsPaused(on: boolean): void {
    this.faults.heartbeatsPaused = on;
  }

  setIgnoreTestAnswers(on: boolean): void {
    this.faults.ignoreTestAnswers = on;
  }

  setRejectAuth(on: boolean): void {
    this.runtime.auth.rejectAll = on;
  }

  expireTokens(): void {
    this.runtime.auth.expireAccessTokens();
  }

  /** Replaces every connection's bucket with a full one under the new limit. */
  setRateLimit(limit: TestExchangeOptions['rateLimit']): void {
    this.rateLimit = validateRateLimit(limit);
    for (const { session } of this.live.values()) session.bucket = createBucket(this.rateLimit, this.options.now());
  }

  setResponseDelay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`setResponseDelay needs ms >= 0 (got ${ms})`);
    this.faults.responseDelayMs = ms;
  }

  setUpgradeRejection(status: number | null): void {
    if (status !== null && (!Number.isInteger(status) || status < 400 || status > 599)) {
      throw new RangeError(`setUpgradeRejection needs a 4xx/5xx status or null (got ${status})`);
    }
    this.faults.upgradeRejection = status;
  }

  sendMalformed(kind: MalformedKind): void {
    const frame = malformedFrame(kind);
    for (const { session } of this.live.values()) session.send(frame);
  }

  sendOversized(bytes: number): void {
    const frame = oversizedNotification(`ticker.${this.options.instruments[0] ?? 'BTC-PERPETUAL'}.100ms`, bytes);
    for (const { session } of this.live.values()) session.send(frame);
  }

  injectBookGap(channel: string): void {
    this.runtime.feeds.injectGap(channel);
  }

  publish(channel: string, count = 1): number {
    return this.runtime.feeds.publish(channel, count);
  }

  // ---- introspection ------------------------------------------------------------------------

  connections(): TestConnectionSnapshot[] {
    return [...this.live.values()].map(({ session }) => {
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

  waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        let satisfied = false;
        try {
          satisfied = predicate();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (satisfied) return resolve();
        if (Date.now() >= deadline) {
          const source = predicate.toString().replace(/\s+/g, ' ').slice(0, 200);
          reject(new Error(`TestExchange.waitFor timed out after ${timeoutMs} ms waiting for: ${source}`));
          return;
        }
        setTimeout(check, 5);
      };
      check();
    });
  }

  // ---- internals ----------------------------------------------------------------------------

  private async listen(port: number): Promise<void> {
    this.boundPort = await this.listener.listen(port);
    this.running = true;
    this.stopping = undefined;
    this.emit({ type: 'listening', url: this.url });
  }

  private async shutdown(): Promise<void> {
    const closing = [...this.live.values()].map(({ session, closed }) => {
      session.dispose();
      session.terminate();
      return closed;
    });
    this.runtime.feeds.clear();
    await Promise.all(closing);
    await this.listener.close();
    this.emit({ type: 'stopped' });
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    if (!this.running) {
      socket.terminate();
      return;
    }
    this.nextConnectionId += 1;
    this.counters.connections += 1;
    const session = new ConnectionSession({
      id: this.nextConnectionId,
      socket,
      remoteAddress: request.socket.remoteAddress ?? '',
      remotePort: request.socket.remotePort ?? 0,
      openedAt: this.options.now(),
      faults: this.faults,
      bucket: createBucket(this.rateLimit, this.options.now()),
      onHeartbeatMissed: (missed) => {
        this.counters.heartbeatCloses += 1;
        missed.heartbeatTimedOut = true;
        missed.close(1000, 'heartbeat timeout: test_request not answered');
      },
      onTestRequestSent: () => {
        this.counters.testRequestsSent += 1;
      },
    });
    socket.on('message', (data) => this.dispatcher.handleFrame(session, toBuffer(data), microsNow(this.options.now)));
    socket.on('ping', (data) => session.pong(data));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => {
      socket.once('close', (code, reason) => {
        this.onClose(session, code, reason.toString());
        resolve();
      });
    });
    this.live.set(session.id, { session, closed });
    this.emit({
      type: 'connection',
      connectionId: session.id,
      remoteAddress: session.remoteAddress,
      remotePort: session.remotePort,
    });
  }

  private onClose(session: ConnectionSession, code: number, reason: string): void {
    session.dispose();
    this.runtime.feeds.removeAll(session);
    this.live.delete(session.id);
    this.recordCancelOnDisconnect(session);
    this.emit({ type: 'close', connectionId: session.id, code, reason, heartbeatTimeout: session.heartbeatTimedOut });
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
      wouldCancel: this.runtime.feeds.openOrders(clientId),
    });
    // Bounded like requestLog, so a soak of thousands of reconnects does not grow the exchange.
    const overflow = this.firings.length - this.options.requestLogLimit;
    if (overflow > 0) this.firings.splice(0, overflow);
  }

  private emit(event: TestExchangeEvent): void {
    try {
      this.options.onEvent(event);
    } catch {
      // A listener's bug must not take the exchange down.
    }
  }
}

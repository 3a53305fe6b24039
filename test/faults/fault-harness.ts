import { DeribitAdapter, type ClientLogger, type ConnectionEvent, type FrameLimits } from '@exchange-connection/core';
import { FaultProxy, TestExchange, type TestExchangeOptions } from '@exchange-connection/testkit';
import { resourceSnapshot, type ResourceCounts } from '../support/open-handles.js';
import { ConsumerLog } from './consumer-log.js';
import {
  ADAPTER_BACK_OFF,
  VenueFaultHarness,
  VenueLeg,
  countPerConnection,
  quietLogger,
  type LegConnectionConfig,
  type LegInvariantLimits,
} from './venue-harness.js';

export { CLIENT_MAX_PAYLOAD } from './venue-harness.js';

export const TICKER = 'ticker.BTC-PERPETUAL.100ms';
export const BOOK = 'book.BTC-PERPETUAL.100ms';
export const TRADES = 'trades.ETH-PERPETUAL.100ms';
export const PRIVATE = 'user.orders.BTC-PERPETUAL.raw';
/** Every consumer watches these: a ticker, an incremental book, trades and a private user.* channel. */
export const BASE_CHANNELS: readonly string[] = [TICKER, BOOK, TRADES, PRIVATE];

export interface FaultCredentials {
  clientId: string;
  clientSecret: string;
  /** Auth grant (default client_credentials); client_signature keeps the secret off the wire. */
  kind?: 'client_credentials' | 'client_signature';
}

export const DEFAULT_CREDENTIALS: FaultCredentials = { clientId: 'fault-client', clientSecret: 'fault-secret' };

/** Options a scenario may set before the harness starts. */
/**
 * Options a scenario may set before the harness starts. Defaults: 3 consumers on BASE_CHANNELS;
 * silence bound 1500 ms (rows that do not test silence must not trip it: on a busy shared machine
 * an event-loop stall approaches a second); no rotation planned (`rotate()` still works).
 */
export interface FaultHarnessConfig extends LegConnectionConfig {
  /** Deribit heartbeat interval (default 0.3 s: a quiet but healthy session still has inbound frames). */
  heartbeatIntervalSec?: number;
  exchange?: Omit<TestExchangeOptions, 'accounts' | 'feedIntervalMs' | 'onEvent'>;
  /** The venue adapter's frame bounds (default Deribit's, whose 8 MiB cap is above CLIENT_MAX_PAYLOAD). */
  venueFrameLimits?: FrameLimits;
}

/** Supplied by whoever runs the scenario (the fault matrix, or a secret-leak audit with its own logger). */
export interface FaultHarnessExternal {
  credentials?: FaultCredentials;
  logger?: ClientLogger;
}

export type FaultHarnessOptions = FaultHarnessConfig & FaultHarnessExternal;

type DeribitLeg = VenueLeg<'deribit', ConsumerLog>;

/**
 * One TestExchange behind a FaultProxy, one SupervisedConnection through the proxy (the harness's
 * one leg), N consumers recording every message, a feed pump and a sweep. Everything it opens,
 * `close()` closes.
 */
export class FaultHarness extends VenueFaultHarness<'deribit', ConsumerLog, TestExchange, InvariantLimits> {
  readonly legs: Record<'deribit', DeribitLeg>;
  /** The matrix's one connection and what watches it. */
  readonly leg: DeribitLeg;
  /** Notifications the pump published per channel. */
  readonly published = new Map<string, number>();
  private pumpCursor = 0;

  private constructor(
    exchange: TestExchange,
    proxy: FaultProxy,
    baseline: ResourceCounts,
    readonly options: FaultHarnessOptions,
  ) {
    super(exchange, proxy, baseline, options.silenceTimeoutMs ?? 1500);
    const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
    const logger = options.logger ?? quietLogger;
    const adapter = new DeribitAdapter({
      logger,
      rateLimitRetry: ADAPTER_BACK_OFF,
      frameLimits: options.venueFrameLimits,
    });
    this.leg = new VenueLeg('deribit', adapter, {
      connectionName: 'fault',
      url: proxy.url(),
      session: {
        credentials: {
          kind: credentials.kind ?? 'client_credentials',
          clientId: credentials.clientId,
          clientSecret: credentials.clientSecret,
        },
        heartbeatIntervalSec: options.heartbeatIntervalSec ?? 0.3,
        cancelOnDisconnect: { scope: 'connection' },
      },
      requestTimeoutMs: 2_000,
      silenceTimeoutMs: this.silenceTimeoutMs,
      client: options.client,
      circuitBreaker: options.circuitBreaker,
      closeTimeoutMs: options.closeTimeoutMs,
      rotation: options.rotation,
      logger,
    });
    this.legs = { deribit: this.leg };
  }

  static async start(options: FaultHarnessOptions = {}): Promise<FaultHarness> {
    const baseline = resourceSnapshot();
    const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
    // The exchange reports connections from its start; the harness that records them comes after.
    const ref: { harness?: FaultHarness } = {};
    const exchange = await TestExchange.start({
      port: 0,
      seed: 11,
      minHeartbeatIntervalSec: 0.1,
      ...options.exchange,
      feedIntervalMs: 0,
      accounts: [{ clientId: credentials.clientId, clientSecret: credentials.clientSecret }],
      onEvent: (event) => {
        if (event.type === 'connection') ref.harness?.leg.exchangeConnections.push(event.connectionId);
      },
    });
    const proxy = await FaultProxy.start({ target: { port: exchange.port } });
    const harness = new FaultHarness(exchange, proxy, baseline, options);
    ref.harness = harness;
    harness.begin(() => BASE_CHANNELS, options.consumers ?? 3, options.pumpIntervalMs ?? 25);
    return harness;
  }

  get connection(): DeribitLeg['connection'] {
    return this.leg.connection;
  }

  get venue(): DeribitLeg['venue'] {
    return this.leg.venue;
  }

  get consumers(): readonly ConsumerLog[] {
    return this.leg.consumers;
  }

  get desired(): ReadonlySet<string> {
    return this.leg.desired;
  }

  eventsOf<T extends ConnectionEvent['type']>(type: T): Array<Extract<ConnectionEvent, { type: T }>> {
    return this.leg.eventsOf(type);
  }

  protected newConsumer(id: number): ConsumerLog {
    return new ConsumerLog(id);
  }

  /** Base channels every tick; any others round-robin, 8 per tick, so a large set stays cheap. */
  protected pump(): void {
    const extra = [...this.desired].filter((c) => !BASE_CHANNELS.includes(c));
    const batch = [...BASE_CHANNELS.filter((c) => this.desired.has(c))];
    for (let i = 0; i < Math.min(8, extra.length); i++) batch.push(extra[(this.pumpCursor + i) % extra.length]!);
    this.pumpCursor += 8;
    for (const channel of batch) {
      if (this.exchange.publish(channel) > 0) this.published.set(channel, (this.published.get(channel) ?? 0) + 1);
    }
  }

  /** The id of the exchange-side connection currently open (the newest). */
  currentConnectionId(): number | undefined {
    const ids = this.exchange.connections().map((c) => c.id);
    return ids.length === 0 ? undefined : Math.max(...ids);
  }

  /** Requests of `method` the exchange logged on connection `id` (or per connection). */
  methodCount(method: string | ((m: string) => boolean), connectionId?: number): number {
    const match = typeof method === 'string' ? (m: string) => m === method : method;
    return this.exchange.requestLog.filter(
      (r) => match(r.method) && (connectionId === undefined || r.connectionId === connectionId),
    ).length;
  }

  protected held(): string[][] {
    return this.exchange.connections().map((c) => [...c.subscriptions].sort());
  }

  /** At most the expected subscribe calls (public + private) and public/auth calls per socket. */
  protected assertLegRequests(leg: DeribitLeg, limits: InvariantLimits): void {
    const maxSubscribe = limits.subscribeCallsPerConnection ?? 2;
    for (const [id, n] of countPerConnection(this.exchange.requestLog, leg, (r) => r.method.endsWith('/subscribe'))) {
      if (n > maxSubscribe) throw new Error(`exchange connection ${id} saw ${n} subscribe calls (limit ${maxSubscribe})`);
    }
    const maxAuth = limits.authCallsPerConnection ?? 1;
    for (const [id, n] of countPerConnection(this.exchange.requestLog, leg, (r) => r.method === 'public/auth')) {
      if (n > maxAuth) throw new Error(`exchange connection ${id} saw ${n} public/auth calls (limit ${maxAuth})`);
    }
  }
}

export interface InvariantLimits extends LegInvariantLimits {
  /** Subscribe calls (public + private) the exchange may see on one connection (default 2). */
  subscribeCallsPerConnection?: number;
  /** public/auth calls on one connection (default 1; token refreshes add to it). */
  authCallsPerConnection?: number;
}

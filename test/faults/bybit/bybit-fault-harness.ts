import {
  BybitAdapter,
  BybitCodec,
  SupervisedConnection,
  noJitter,
  type BybitAdapterOptions,
  type ClientLogger,
  type ConnectionEvent,
  type SupervisedClientOptions,
} from '@exchange-connection/core';
import { BybitTestExchange, FaultProxy, type BybitTestExchangeOptions, type ExchangeEvent } from '@exchange-connection/testkit';
import type { Subscription } from 'rxjs';
import { resourceSnapshot, settleNoResourceGrowth, type ResourceCounts } from '../../support/open-handles.js';
import { waitFor } from '../../support/wait-for.js';
import {
  assertClientsReleased,
  assertLegInvariants,
  expectEqual,
  legErrorMessages,
  waitForConsumerData,
  type RecordedLeg,
} from '../harness-checks.js';
import { RecordingVenue } from '../recording-venue.js';
import { BybitConsumerLog } from './bybit-consumer-log.js';

export const TICKER = 'tickers.BTCUSDT';
export const BOOK = 'orderbook.50.BTCUSDT';
export const TRADES = 'publicTrade.ETHUSDT';
export const LINEAR_TOPICS: readonly string[] = [TICKER, BOOK, TRADES];
export const PRIVATE_TOPICS: readonly string[] = ['order', 'execution', 'position', 'wallet'];

export type LegName = 'linear' | 'private';

export const FAULT_ACCOUNT = { apiKey: 'fault-key', apiSecret: 'fault-secret-456' };

/** Client maxPayload in the matrix (the oversize row sends above it). */
export const CLIENT_MAX_PAYLOAD = 64 * 1024;

export interface BybitHarnessConfig {
  /** Consumers per leg (default 2). */
  consumers?: number;
  /** Supervisor silence bound (default 1500 ms: an event-loop stall on a busy machine must not trip it); the sweep runs every 50 ms. */
  silenceTimeoutMs?: number;
  /** The session's `{"op":"ping"}` period (default 0.2 s). */
  pingIntervalSec?: number;
  /** Harness feed: one message per topic per tick (default 25 ms). */
  pumpIntervalMs?: number;
  exchange?: Omit<BybitTestExchangeOptions, 'accounts' | 'feedIntervalMs' | 'onEvent'>;
  client?: SupervisedClientOptions;
  adapter?: Partial<Record<LegName, Omit<BybitAdapterOptions, 'market'>>>;
  circuitBreaker?: { failureThreshold?: number; cooldownMs?: number };
}

const quietLogger: ClientLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** One supervised connection of the harness (one Bybit endpoint) and what watches it. */
export class Leg implements RecordedLeg {
  readonly consumers: BybitConsumerLog[] = [];
  readonly events: ConnectionEvent[] = [];
  readonly desired = new Set<string>();
  /** Every `auth` op a client of this leg wrote: `[apiKey, expires, signature]`, in order. */
  readonly auths: Array<[string, number, string]> = [];
  /** Exchange connection ids this leg opened (from the exchange's `connection` events). */
  readonly exchangeConnections: number[] = [];
  readonly venue: RecordingVenue;
  readonly connection: SupervisedConnection;
  private readonly eventSubscription: Subscription;

  constructor(
    readonly name: LegName,
    url: string,
    config: BybitHarnessConfig,
    logger: ClientLogger,
  ) {
    const auths = this.auths;
    const adapter = new (class extends BybitAdapter {
      override createCodec(): BybitCodec {
        const codec = super.createCodec();
        const encode = codec.encode.bind(codec);
        codec.encode = (id, method, params) => {
          if (method === 'auth') auths.push([...(params as { args: [string, number, string] }).args]);
          return encode(id, method, params);
        };
        return codec;
      }
    })({ market: name, backOff: { baseDelayMs: 50, maxDelayMs: 400, maxAttempts: 8 }, logger, ...config.adapter?.[name] });
    this.venue = new RecordingVenue(adapter);
    this.connection = new SupervisedConnection({
      name: `bybit-${name}`,
      url,
      venue: this.venue,
      session: {
        credentials:
          name === 'private'
            ? { kind: 'client_credentials', clientId: FAULT_ACCOUNT.apiKey, clientSecret: FAULT_ACCOUNT.apiSecret }
            : undefined,
        heartbeatIntervalSec: config.pingIntervalSec ?? 0.2,
      },
      // The client's ws ping is off so the supervisor's silence bound and the venue ping are what
      // the matrix measures (as in the Deribit matrix).
      client: {
        heartbeat: false,
        requestTimeoutMs: 2_000,
        connectTimeoutMs: 1_000,
        maxPayload: CLIENT_MAX_PAYLOAD,
        ...config.client,
      },
      rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
      circuitBreaker: { failureThreshold: 5, cooldownMs: 1_500, ...config.circuitBreaker },
      silenceTimeoutMs: config.silenceTimeoutMs ?? 1500,
      closeTimeoutMs: 500,
      logger,
    });
    this.eventSubscription = this.connection.events$.subscribe((event) => this.events.push(event));
  }

  eventsOf<T extends ConnectionEvent['type']>(type: T): Array<Extract<ConnectionEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<ConnectionEvent, { type: T }> => e.type === type);
  }

  stop(): void {
    this.eventSubscription.unsubscribe();
  }
}

/**
 * One BybitTestExchange behind a FaultProxy; a linear and a private SupervisedConnection through
 * the proxy, each watched by N consumers recording every message; a feed pump and a sweep.
 * Everything it opens, `close()` closes.
 */
export class BybitFaultHarness {
  readonly legs: Record<LegName, Leg>;
  readonly notes: string[] = [];
  readonly silenceTimeoutMs: number;
  /** Exchange connection id → the route (market) it was opened on. */
  readonly routes = new Map<number, string>();
  private readonly subscriptions: Subscription[] = [];
  private pumpTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private pumpPaused = false;
  private closed = false;

  private constructor(
    readonly exchange: BybitTestExchange,
    readonly proxy: FaultProxy,
    private readonly baseline: ResourceCounts,
    readonly config: BybitHarnessConfig,
    logger: ClientLogger,
  ) {
    this.silenceTimeoutMs = config.silenceTimeoutMs ?? 1500;
    this.legs = {
      linear: new Leg('linear', proxy.url('/v5/public/linear'), config, logger),
      private: new Leg('private', proxy.url('/v5/private'), config, logger),
    };
  }

  static async start(config: BybitHarnessConfig = {}, logger: ClientLogger = quietLogger): Promise<BybitFaultHarness> {
    const baseline = resourceSnapshot();
    // The exchange reports connections from its start; the harness that records them comes after.
    const ref: { harness?: BybitFaultHarness } = {};
    const onEvent = (event: ExchangeEvent) => {
      if (event.type === 'connection' && event.route !== undefined)
        ref.harness?.onExchangeConnection(event.connectionId, event.route);
    };
    const exchange = await BybitTestExchange.start({
      port: 0,
      seed: 11,
      ...config.exchange,
      feedIntervalMs: 0,
      accounts: [FAULT_ACCOUNT],
      onEvent,
    });
    const proxy = await FaultProxy.start({ target: { port: exchange.port } });
    const harness = new BybitFaultHarness(exchange, proxy, baseline, config, logger);
    ref.harness = harness;
    for (const leg of Object.values(harness.legs)) {
      const topics = leg.name === 'linear' ? LINEAR_TOPICS : PRIVATE_TOPICS;
      for (let i = 0; i < (config.consumers ?? 2); i++) harness.addConsumer(leg, topics);
      leg.connection.start();
    }
    harness.sweepTimer = setInterval(() => {
      for (const leg of Object.values(harness.legs)) leg.connection.sweep();
    }, 50);
    harness.pumpTimer = setInterval(() => harness.pump(), config.pumpIntervalMs ?? 25);
    return harness;
  }

  private onExchangeConnection(id: number, route: string): void {
    this.routes.set(id, route);
    const leg = route === 'private' ? this.legs.private : route === 'linear' ? this.legs.linear : undefined;
    leg?.exchangeConnections.push(id);
  }

  addConsumer(leg: Leg, topics: readonly string[]): BybitConsumerLog {
    const log = new BybitConsumerLog(leg.consumers.length);
    leg.consumers.push(log);
    this.watch(leg, log, topics);
    return log;
  }

  watch(leg: Leg, consumer: BybitConsumerLog, topics: readonly string[]): void {
    for (const topic of topics) {
      leg.desired.add(topic);
      consumer.channels.add(topic);
      this.subscriptions.push(
        leg.connection.channel$(topic).subscribe({
          next: (message) => consumer.record(topic, message),
          error: (error: unknown) => consumer.errors.push({ channel: topic, error }),
          complete: () => consumer.completed.add(topic),
        }),
      );
    }
  }

  own(subscription: Subscription): void {
    this.subscriptions.push(subscription);
  }

  setPumpPaused(paused: boolean): void {
    this.pumpPaused = paused;
  }

  private pump(): void {
    if (this.pumpPaused || this.closed) return;
    for (const leg of Object.values(this.legs)) for (const topic of leg.desired) this.exchange.publish(leg.name, topic);
  }

  /** The exchange-side connections of one leg's market that are open now. */
  liveConnections(leg: Leg) {
    return this.exchange.connections().filter((c) => c.market === leg.name);
  }

  /** Ops of one kind the exchange logged per connection of a leg. */
  opsPerConnection(leg: Leg, op: string): Map<number, number> {
    const counts = new Map<number, number>();
    for (const entry of this.exchange.opLog) {
      if (entry.op === op && leg.exchangeConnections.includes(entry.connectionId)) {
        counts.set(entry.connectionId, (counts.get(entry.connectionId) ?? 0) + 1);
      }
    }
    return counts;
  }

  waitForDowns(leg: Leg, n: number, timeoutMs = 5_000): Promise<unknown> {
    return waitFor(() => leg.eventsOf('down').length >= n, { timeoutMs, message: `${leg.name}: ${n} down event(s)` });
  }

  waitForState(leg: Leg, state: SupervisedConnection['state'], timeoutMs = 5_000): Promise<unknown> {
    return waitFor(() => leg.connection.state === state, {
      timeoutMs,
      message: `${leg.name}: state ${state} (is ${leg.connection.state})`,
    });
  }

  /** Every consumer of every leg got at least `atLeast` new messages on every topic it watches. */
  waitForData(atLeast = 2, timeoutMs = 5_000): Promise<void> {
    return waitForConsumerData(Object.values(this.legs), atLeast, timeoutMs);
  }

  /** Every error text the connections produced (events, last error, consumer errors): for secret audits. */
  errorMessages(): string[] {
    return Object.values(this.legs).flatMap((leg) => legErrorMessages(leg));
  }

  /** Nothing lost, nothing duplicated, one layer reconnecting — for both legs. Run after recovery, before close. */
  async assertRecoveredInvariants(limits: BybitInvariantLimits = {}): Promise<void> {
    for (const leg of Object.values(this.legs)) {
      const c = leg.connection;
      await this.waitForState(leg, 'ready', 10_000);
      const desired = [...leg.desired].sort();
      // Nothing lost: the exchange holds exactly the desired set, on exactly one connection of the market.
      await waitFor(
        () => {
          const live = this.liveConnections(leg);
          return live.length === 1 && JSON.stringify([...live[0]!.subscriptions].sort()) === JSON.stringify(desired);
        },
        {
          timeoutMs: 5_000,
          message: `${leg.name}: exchange subscriptions to equal ${desired.join(',')}: ${JSON.stringify(this.liveConnections(leg).map((x) => x.subscriptions))}`,
        },
      );
      if (leg.name === 'private') expectEqual(this.liveConnections(leg)[0]?.authenticated, true, 'private socket authenticated');
      const stats = c.stats();
      expectEqual(stats.subscriptions, desired.length, `${leg.name} stats().subscriptions`);
      expectEqual(stats.sessionSubscriptions, desired.length, `${leg.name} stats().sessionSubscriptions`);
    }
    await this.waitForData(2, 5_000);
    for (const leg of Object.values(this.legs)) {
      // Nothing duplicated (each topic once per session; a gap resync unsubscribes first), one layer reconnecting.
      assertLegInvariants(leg, { circuitMayOpen: limits.circuitMayOpen });
      const maxSubscribe = limits.subscribeOpsPerConnection ?? 1;
      for (const [id, n] of this.opsPerConnection(leg, 'subscribe')) {
        if (n > maxSubscribe)
          throw new Error(`${leg.name}: exchange connection ${id} saw ${n} subscribe ops (limit ${maxSubscribe})`);
      }
      for (const [id, n] of this.opsPerConnection(leg, 'auth')) {
        if (n > 1) throw new Error(`${leg.name}: exchange connection ${id} saw ${n} auth ops`);
      }
      // Every auth on this leg signed its own expires, later than the one before.
      const expires = leg.auths.map(([, e]) => e);
      for (let i = 1; i < expires.length; i++) {
        if (!(expires[i]! > expires[i - 1]!))
          throw new Error(`${leg.name}: auth ${i} reused or went back in expires: ${expires.join(',')}`);
      }
    }
  }

  /** Nothing leaked: close everything, then no socket, timer, listener or handle is left. */
  async closeAndAssertNoLeaks(): Promise<void> {
    await this.close();
    for (const leg of Object.values(this.legs)) assertClientsReleased(leg);
    await settleNoResourceGrowth(this.baseline, { timeoutMs: 3_000 });
  }

  /** Idempotent; always safe in a finally. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pumpTimer);
    clearInterval(this.sweepTimer);
    try {
      for (const leg of Object.values(this.legs)) {
        await leg.connection.close();
        for (const consumer of leg.consumers) {
          for (const channel of consumer.channels) {
            if (!consumer.completed.has(channel) && consumer.errors.length === 0) {
              throw new Error(`${leg.name}: consumer ${consumer.id} stream ${channel} did not complete on close`);
            }
          }
        }
      }
      await this.exchange.waitFor(() => this.exchange.connections().length === 0, 3_000);
    } finally {
      for (const s of this.subscriptions) s.unsubscribe();
      for (const leg of Object.values(this.legs)) leg.stop();
      await this.proxy.stop();
      await this.exchange.stop();
    }
  }
}

export interface BybitInvariantLimits {
  /** Subscribe ops the exchange may see on one connection (default 1: every restore is one request here). */
  subscribeOpsPerConnection?: number;
  /** The row opens the circuit on purpose. */
  circuitMayOpen?: boolean;
}

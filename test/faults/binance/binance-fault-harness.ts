import {
  BinanceAdapter,
  BinanceCodec,
  SupervisedConnection,
  noJitter,
  type BinanceAdapterOptions,
  type ClientLogger,
  type ConnectionEvent,
  type SupervisedClientOptions,
  type SupervisedConnectionOptions,
} from '@exchange-connection/core';
import {
  BinanceTestExchange,
  FaultProxy,
  type BinanceTestExchangeOptions,
  type ExchangeEvent,
} from '@exchange-connection/testkit';
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
import { BinanceConsumerLog } from './binance-consumer-log.js';

export const TRADES = 'btcusdt@trade';
export const TICKER = 'ethusdt@bookTicker';
export const BOOK = 'btcusdt@depth@100ms';
export const SPOT_STREAMS: readonly string[] = [TRADES, TICKER, BOOK];
export const USER_CHANNELS: readonly string[] = ['userData'];

export type LegName = 'spot' | 'user';

export const FAULT_ACCOUNT = { apiKey: 'fault-key', secretKey: 'fault-secret-789' };

/** Client maxPayload in the matrix (the oversize row sends above it). */
export const CLIENT_MAX_PAYLOAD = 64 * 1024;

/** The venue's limit on frames per second per market-stream socket (spot), as the exchange enforces it. */
export const SPOT_FRAME_LIMIT = 5;

export interface BinanceHarnessConfig {
  /** Consumers per leg (default 2). */
  consumers?: number;
  /** Supervisor silence bound (default 800 ms); the sweep runs every 50 ms. */
  silenceTimeoutMs?: number;
  /** Harness feed: one event per stream (and one user data event) per tick (default 25 ms). */
  pumpIntervalMs?: number;
  exchange?: Omit<BinanceTestExchangeOptions, 'accounts' | 'feedIntervalMs' | 'onEvent'>;
  client?: SupervisedClientOptions;
  adapter?: Partial<Record<LegName, Omit<BinanceAdapterOptions, 'market'>>>;
  circuitBreaker?: { failureThreshold?: number; cooldownMs?: number };
  rotation?: SupervisedConnectionOptions['rotation'];
}

const quietLogger: ClientLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** One supervised connection of the harness (one Binance endpoint) and what watches it. */
export class Leg implements RecordedLeg {
  readonly consumers: BinanceConsumerLog[] = [];
  readonly events: ConnectionEvent[] = [];
  readonly desired = new Set<string>();
  /** Every signed user data subscribe a client of this leg wrote: `[timestamp, signature]`, in order. */
  readonly signedSubscribes: Array<[number, string]> = [];
  /** Exchange connection ids this leg opened (from the exchange's `connection` events). */
  readonly exchangeConnections: number[] = [];
  readonly venue: RecordingVenue;
  readonly connection: SupervisedConnection;
  private readonly eventSubscription: Subscription;

  constructor(
    readonly name: LegName,
    url: string,
    restUrl: string,
    config: BinanceHarnessConfig,
    logger: ClientLogger,
  ) {
    const signed = this.signedSubscribes;
    const adapter = new (class extends BinanceAdapter {
      override createCodec(): BinanceCodec {
        const codec = super.createCodec();
        const encode = codec.encode.bind(codec);
        codec.encode = (id, method, params) => {
          if (method === 'userDataStream.subscribe.signature') {
            const { timestamp, signature } = params as { timestamp: number; signature: string };
            signed.push([timestamp, signature]);
          }
          return encode(id, method, params);
        };
        return codec;
      }
    })({
      market: name === 'spot' ? 'spot' : 'user-data',
      restUrl,
      backOff: { baseDelayMs: 50, maxDelayMs: 400, maxAttempts: 8 },
      logger,
      ...config.adapter?.[name],
    });
    this.venue = new RecordingVenue(adapter);
    this.connection = new SupervisedConnection({
      name: `binance-${name}`,
      url,
      venue: this.venue,
      session: {
        credentials:
          name === 'user'
            ? { kind: 'client_credentials', clientId: FAULT_ACCOUNT.apiKey, clientSecret: FAULT_ACCOUNT.secretKey }
            : undefined,
      },
      // The client's own ws ping is off so the supervisor's silence bound and the venue's pings are
      // what the matrix measures (as in the Deribit and Bybit matrices).
      client: {
        heartbeat: false,
        requestTimeoutMs: 3_000,
        connectTimeoutMs: 1_000,
        maxPayload: CLIENT_MAX_PAYLOAD,
        ...config.client,
      },
      rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
      circuitBreaker: { failureThreshold: 5, cooldownMs: 1_500, ...config.circuitBreaker },
      silenceTimeoutMs: config.silenceTimeoutMs ?? 800,
      closeTimeoutMs: 500,
      ...(config.rotation === undefined ? {} : { rotation: config.rotation }),
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
 * One BinanceTestExchange behind a FaultProxy; a spot market-stream and a user-data
 * SupervisedConnection through the proxy (REST snapshots go to the exchange directly), each
 * watched by N consumers recording every message; a feed pump and a sweep. Everything it opens,
 * `close()` closes.
 */
export class BinanceFaultHarness {
  readonly legs: Record<LegName, Leg>;
  readonly notes: string[] = [];
  readonly silenceTimeoutMs: number;
  private readonly subscriptions: Subscription[] = [];
  private pumpTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private pumpPaused = false;
  private closed = false;

  private constructor(
    readonly exchange: BinanceTestExchange,
    readonly proxy: FaultProxy,
    private readonly baseline: ResourceCounts,
    readonly config: BinanceHarnessConfig,
    logger: ClientLogger,
  ) {
    this.silenceTimeoutMs = config.silenceTimeoutMs ?? 800;
    this.legs = {
      spot: new Leg('spot', proxy.url('/stream'), exchange.urls.rest, config, logger),
      user: new Leg('user', proxy.url('/ws-api/v3'), exchange.urls.rest, config, logger),
    };
  }

  static async start(config: BinanceHarnessConfig = {}, logger: ClientLogger = quietLogger): Promise<BinanceFaultHarness> {
    const baseline = resourceSnapshot();
    const ref: { harness?: BinanceFaultHarness } = {};
    const onEvent = (event: ExchangeEvent) => {
      if (event.type !== 'connection') return;
      const leg =
        event.route === 'ws-api' ? ref.harness?.legs.user : event.route === 'spot-stream' ? ref.harness?.legs.spot : undefined;
      leg?.exchangeConnections.push(event.connectionId);
    };
    const exchange = await BinanceTestExchange.start({
      port: 0,
      seed: 13,
      // Pings often enough for the rows to see them, and pongs that take frame slots (2 of 5 a second).
      pingIntervalMs: { spot: 500 },
      pongTimeoutMs: { spot: 1_500 },
      ...config.exchange,
      feedIntervalMs: 0,
      accounts: [FAULT_ACCOUNT],
      onEvent,
    });
    const proxy = await FaultProxy.start({ target: { port: exchange.port } });
    const harness = new BinanceFaultHarness(exchange, proxy, baseline, config, logger);
    ref.harness = harness;
    for (const leg of Object.values(harness.legs)) {
      const channels = leg.name === 'spot' ? SPOT_STREAMS : USER_CHANNELS;
      for (let i = 0; i < (config.consumers ?? 2); i++) harness.addConsumer(leg, channels);
      leg.connection.start();
    }
    harness.sweepTimer = setInterval(() => {
      for (const leg of Object.values(harness.legs)) leg.connection.sweep();
    }, 50);
    harness.pumpTimer = setInterval(() => harness.pump(), config.pumpIntervalMs ?? 25);
    return harness;
  }

  addConsumer(leg: Leg, channels: readonly string[]): BinanceConsumerLog {
    const log = new BinanceConsumerLog(leg.consumers.length);
    leg.consumers.push(log);
    for (const channel of channels) {
      leg.desired.add(channel);
      log.channels.add(channel);
      this.subscriptions.push(
        leg.connection.channel$(channel).subscribe({
          next: (message) => log.record(channel, message),
          error: (error: unknown) => log.errors.push({ channel, error }),
          complete: () => log.completed.add(channel),
        }),
      );
    }
    return log;
  }

  setPumpPaused(paused: boolean): void {
    this.pumpPaused = paused;
  }

  private pump(): void {
    if (this.pumpPaused || this.closed) return;
    for (const stream of this.legs.spot.desired) this.exchange.publish('spot', stream);
    this.exchange.publishUserData(FAULT_ACCOUNT.apiKey);
  }

  /** The exchange-side connections of one leg that are open now. */
  liveConnections(leg: Leg) {
    return this.exchange.connections().filter((c) => (leg.name === 'spot' ? c.route === 'spot-stream' : c.route === 'ws-api'));
  }

  /** Requests of one method the exchange logged per connection of a leg. */
  requestsPerConnection(leg: Leg, method: string): Map<number, number> {
    const counts = new Map<number, number>();
    for (const entry of this.exchange.requestLog) {
      if (entry.method === method && leg.exchangeConnections.includes(entry.connectionId)) {
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

  waitForData(atLeast = 2, timeoutMs = 5_000): Promise<void> {
    return waitForConsumerData(Object.values(this.legs), atLeast, timeoutMs);
  }

  errorMessages(): string[] {
    return Object.values(this.legs).flatMap((leg) => legErrorMessages(leg));
  }

  /**
   * Nothing lost, nothing duplicated, one layer reconnecting — for both legs — and the venue's
   * frame limit never exceeded on any socket. Run after recovery, before close.
   */
  async assertRecoveredInvariants(limits: BinanceInvariantLimits = {}): Promise<void> {
    for (const leg of Object.values(this.legs)) {
      await this.waitForState(leg, 'ready', 10_000);
      const desired = [...leg.desired].sort();
      const held = (): string[][] =>
        this.liveConnections(leg).map((c) =>
          leg.name === 'spot' ? [...c.streams].sort() : c.userDataSubscriptions.map(() => 'userData'),
        );
      // Nothing lost: the exchange holds exactly the desired set, on exactly one connection of the leg.
      await waitFor(() => JSON.stringify(held()) === JSON.stringify([desired]), {
        timeoutMs: 5_000,
        message: `${leg.name}: exchange to hold ${desired.join(',')} on one connection: ${JSON.stringify(held())}`,
      });
      const stats = leg.connection.stats();
      expectEqual(stats.subscriptions, desired.length, `${leg.name} stats().subscriptions`);
      expectEqual(stats.sessionSubscriptions, desired.length, `${leg.name} stats().sessionSubscriptions`);
    }
    await this.waitForData(2, 5_000);
    for (const leg of Object.values(this.legs)) {
      assertLegInvariants(leg, { circuitMayOpen: limits.circuitMayOpen });
      const method = leg.name === 'spot' ? 'SUBSCRIBE' : 'userDataStream.subscribe.signature';
      const maxSubscribe = limits.subscribeRequestsPerConnection ?? 1;
      for (const [id, n] of this.requestsPerConnection(leg, method)) {
        if (n > maxSubscribe)
          throw new Error(`${leg.name}: exchange connection ${id} saw ${n} ${method} (limit ${maxSubscribe})`);
      }
      // Every signed subscribe signed its own timestamp, never earlier than the one before.
      const stamps = leg.signedSubscribes.map(([t]) => t);
      for (let i = 1; i < stamps.length; i++) {
        if (stamps[i]! < stamps[i - 1]!)
          throw new Error(`${leg.name}: signed subscribe ${i} went back in time: ${stamps.join(',')}`);
      }
      expectEqual(
        new Set(leg.signedSubscribes.map(([, s]) => s)).size,
        leg.signedSubscribes.length,
        `${leg.name}: a signature reused`,
      );
    }
    const { peakMessagesPerSecond, messageRateCloses } = this.exchange.counters;
    if (peakMessagesPerSecond > SPOT_FRAME_LIMIT || messageRateCloses > 0) {
      throw new Error(`frame limit exceeded: peak ${peakMessagesPerSecond}/s, ${messageRateCloses} socket(s) cut for it`);
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

export interface BinanceInvariantLimits {
  /** Subscribe requests the exchange may see on one connection (default 1: every restore is one request here). */
  subscribeRequestsPerConnection?: number;
  /** The row opens the circuit on purpose. */
  circuitMayOpen?: boolean;
}

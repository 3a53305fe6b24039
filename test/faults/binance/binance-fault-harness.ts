import { BinanceAdapter, type BinanceAdapterOptions, type ClientLogger } from '@exchange-connection/core';
import {
  BinanceTestExchange,
  FaultProxy,
  type BinanceTestExchangeOptions,
  type ExchangeEvent,
} from '@exchange-connection/testkit';
import { resourceSnapshot, type ResourceCounts } from '../../support/open-handles.js';
import { expectEqual } from '../harness-checks.js';
import {
  ADAPTER_BACK_OFF,
  VenueFaultHarness,
  VenueLeg,
  countPerConnection,
  quietLogger,
  tapEncodes,
  type LegConnectionConfig,
  type LegInvariantLimits,
} from '../venue-harness.js';
import { BinanceConsumerLog } from './binance-consumer-log.js';

export const TRADES = 'btcusdt@trade';
export const TICKER = 'ethusdt@bookTicker';
export const BOOK = 'btcusdt@depth@100ms';
export const SPOT_STREAMS: readonly string[] = [TRADES, TICKER, BOOK];
export const USER_CHANNELS: readonly string[] = ['userData'];

export type LegName = 'spot' | 'user';

export const FAULT_ACCOUNT = { apiKey: 'fault-key', secretKey: 'fault-secret-789' };

/** The venue's limit on frames per second per market-stream socket (spot), as the exchange enforces it. */
export const SPOT_FRAME_LIMIT = 5;

/** Defaults: 2 consumers per leg, silence bound 800 ms; the feed also publishes one user data event a tick. */
export interface BinanceHarnessConfig extends LegConnectionConfig {
  exchange?: Omit<BinanceTestExchangeOptions, 'accounts' | 'feedIntervalMs' | 'onEvent'>;
  adapter?: Partial<Record<LegName, Omit<BinanceAdapterOptions, 'market'>>>;
}

/** One supervised connection of the harness (one Binance endpoint) and what watches it. */
export class Leg extends VenueLeg<LegName, BinanceConsumerLog> {
  /** Every signed user data subscribe a client of this leg wrote: `[timestamp, signature]`, in order. */
  readonly signedSubscribes: Array<[number, string]>;
  /** The leg's adapter (under the recording venue): its `requestPauseMs` is the pause it waits on. */
  readonly adapter: BinanceAdapter;

  constructor(name: LegName, url: string, restUrl: string, config: BinanceHarnessConfig, logger: ClientLogger) {
    const signed: Array<[number, string]> = [];
    const adapter = new BinanceAdapter({
      market: name === 'spot' ? 'spot' : 'user-data',
      restUrl,
      backOff: ADAPTER_BACK_OFF,
      logger,
      ...config.adapter?.[name],
    });
    tapEncodes(adapter, (method, params) => {
      if (method === 'userDataStream.subscribe.signature') {
        const { timestamp, signature } = params as { timestamp: number; signature: string };
        signed.push([timestamp, signature]);
      }
    });
    super(name, adapter, {
      connectionName: `binance-${name}`,
      url,
      session: {
        credentials:
          name === 'user'
            ? { kind: 'client_credentials', clientId: FAULT_ACCOUNT.apiKey, clientSecret: FAULT_ACCOUNT.secretKey }
            : undefined,
      },
      requestTimeoutMs: 3_000,
      silenceTimeoutMs: config.silenceTimeoutMs ?? 800,
      client: config.client,
      circuitBreaker: config.circuitBreaker,
      rotation: config.rotation,
      logger,
    });
    this.signedSubscribes = signed;
    this.adapter = adapter;
  }
}

/**
 * One BinanceTestExchange behind a FaultProxy; a spot market-stream and a user-data
 * SupervisedConnection through the proxy (REST snapshots go to the exchange directly), each
 * watched by N consumers recording every message; a feed pump and a sweep.
 */
export class BinanceFaultHarness extends VenueFaultHarness<
  LegName,
  BinanceConsumerLog,
  BinanceTestExchange,
  BinanceInvariantLimits
> {
  readonly legs: Record<LegName, Leg>;

  private constructor(
    exchange: BinanceTestExchange,
    proxy: FaultProxy,
    baseline: ResourceCounts,
    config: BinanceHarnessConfig,
    logger: ClientLogger,
  ) {
    super(exchange, proxy, baseline, config.silenceTimeoutMs ?? 800);
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
    harness.begin((leg) => (leg === 'spot' ? SPOT_STREAMS : USER_CHANNELS), config.consumers ?? 2, config.pumpIntervalMs ?? 25);
    return harness;
  }

  protected newConsumer(id: number): BinanceConsumerLog {
    return new BinanceConsumerLog(id);
  }

  protected pump(): void {
    for (const stream of this.legs.spot.desired) this.exchange.publish('spot', stream);
    this.exchange.publishUserData(FAULT_ACCOUNT.apiKey);
  }

  /** The exchange-side connections of one leg that are open now. */
  liveConnections(leg: Leg) {
    return this.exchange.connections().filter((c) => (leg.name === 'spot' ? c.route === 'spot-stream' : c.route === 'ws-api'));
  }

  protected held(leg: Leg): string[][] {
    return this.liveConnections(leg).map((c) =>
      leg.name === 'spot' ? [...c.streams].sort() : c.userDataSubscriptions.map(() => 'userData'),
    );
  }

  /** At most the expected SUBSCRIBEs or signed subscribes per socket, each with its own timestamp and signature. */
  protected assertLegRequests(leg: Leg, limits: BinanceInvariantLimits): void {
    const method = leg.name === 'spot' ? 'SUBSCRIBE' : 'userDataStream.subscribe.signature';
    const maxSubscribe = limits.subscribeRequestsPerConnection ?? 1;
    for (const [id, n] of countPerConnection(this.exchange.requestLog, leg, (e) => e.method === method)) {
      if (n > maxSubscribe) throw new Error(`${leg.name}: exchange connection ${id} saw ${n} ${method} (limit ${maxSubscribe})`);
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

  /** The venue's frame limit never exceeded on any socket. */
  protected override assertExchange(): void {
    const { peakMessagesPerSecond, messageRateCloses } = this.exchange.counters;
    if (peakMessagesPerSecond > SPOT_FRAME_LIMIT || messageRateCloses > 0) {
      throw new Error(`frame limit exceeded: peak ${peakMessagesPerSecond}/s, ${messageRateCloses} socket(s) cut for it`);
    }
  }
}

export interface BinanceInvariantLimits extends LegInvariantLimits {
  /** Subscribe requests the exchange may see on one connection (default 1: every restore is one request here). */
  subscribeRequestsPerConnection?: number;
}

import { BinanceAdapter, type ClientLogger } from '@exchange-connection/core';
import { BinanceTestExchange, FaultProxy, type ExchangeEvent } from '@exchange-connection/testkit';
import { resourceSnapshot, type ResourceCounts } from '../../support/open-handles.js';
import {
  ADAPTER_BACK_OFF,
  VenueFaultHarness,
  VenueLeg,
  countPerConnection,
  quietLogger,
  type LegConnectionConfig,
} from '../venue-harness.js';
import { BinanceConsumerLog } from './binance-consumer-log.js';
import { FAULT_ACCOUNT, type BinanceInvariantLimits } from './binance-fault-harness.js';

/** Defaults: 2 consumers, silence bound 800 ms; the feed publishes one USDⓈ-M user data event a tick. */
export interface FuturesUserHarnessConfig extends LegConnectionConfig {
  /** How long the exchange keeps a listenKey after its last keepalive (default 60 min). */
  listenKeyValidityMs?: number;
  /** The adapter's keepalive period (default 30 min). */
  listenKeyKeepAliveMs?: number;
}

/**
 * One BinanceTestExchange behind a FaultProxy; one `futures-user-data` SupervisedConnection whose
 * socket goes through the proxy (`/private/ws?listenKey=…`) while its listenKey calls go to the
 * exchange's REST directly, watched by N consumers of `userData`; a feed pump and a sweep.
 */
export class BinanceFuturesUserHarness extends VenueFaultHarness<
  'futures',
  BinanceConsumerLog,
  BinanceTestExchange,
  BinanceInvariantLimits
> {
  readonly legs: Record<'futures', VenueLeg<'futures', BinanceConsumerLog>>;

  private constructor(
    exchange: BinanceTestExchange,
    proxy: FaultProxy,
    baseline: ResourceCounts,
    config: FuturesUserHarnessConfig,
    logger: ClientLogger,
  ) {
    const silenceTimeoutMs = config.silenceTimeoutMs ?? 800;
    super(exchange, proxy, baseline, silenceTimeoutMs);
    const adapter = new BinanceAdapter({
      market: 'futures-user-data',
      restUrl: exchange.urls.rest,
      backOff: ADAPTER_BACK_OFF,
      logger,
      ...(config.listenKeyKeepAliveMs === undefined ? {} : { listenKeyKeepAliveMs: config.listenKeyKeepAliveMs }),
    });
    this.legs = {
      futures: new VenueLeg('futures', adapter, {
        connectionName: 'binance-futures-user',
        url: proxy.url('/private'),
        session: {
          credentials: { kind: 'client_credentials', clientId: FAULT_ACCOUNT.apiKey, clientSecret: FAULT_ACCOUNT.secretKey },
        },
        requestTimeoutMs: 3_000,
        silenceTimeoutMs,
        client: config.client,
        circuitBreaker: config.circuitBreaker,
        rotation: config.rotation,
        logger,
      }),
    };
  }

  static async start(
    config: FuturesUserHarnessConfig = {},
    logger: ClientLogger = quietLogger,
  ): Promise<BinanceFuturesUserHarness> {
    const baseline = resourceSnapshot();
    const ref: { harness?: BinanceFuturesUserHarness } = {};
    const onEvent = (event: ExchangeEvent) => {
      if (event.type === 'connection' && event.route === 'usdm-private')
        ref.harness?.legs.futures.exchangeConnections.push(event.connectionId);
    };
    const exchange = await BinanceTestExchange.start({
      port: 0,
      seed: 17,
      // Server pings often enough that a live socket is never silent past the bound.
      pingIntervalMs: { usdm: 300 },
      pongTimeoutMs: { usdm: 1_500 },
      ...(config.listenKeyValidityMs === undefined ? {} : { listenKeyValidityMs: config.listenKeyValidityMs }),
      feedIntervalMs: 0,
      accounts: [FAULT_ACCOUNT],
      onEvent,
    });
    const proxy = await FaultProxy.start({ target: { port: exchange.port } });
    const harness = new BinanceFuturesUserHarness(exchange, proxy, baseline, config, logger);
    ref.harness = harness;
    harness.begin(() => ['userData'], config.consumers ?? 2, config.pumpIntervalMs ?? 25);
    return harness;
  }

  protected newConsumer(id: number): BinanceConsumerLog {
    return new BinanceConsumerLog(id, 'futures');
  }

  protected pump(): void {
    this.exchange.publishFuturesUserData(FAULT_ACCOUNT.apiKey);
  }

  /** One `/private` socket per open connection; it holds `userData` while its key lives. */
  protected held(): string[][] {
    return this.exchange
      .connections()
      .filter((c) => c.route === 'usdm-private')
      .map((c) => (c.apiKey === undefined ? [] : ['userData']));
  }

  /** The session sends nothing on `/private` (its one stream comes with the socket). */
  protected assertLegRequests(leg: VenueLeg<'futures', BinanceConsumerLog>): void {
    for (const [id, n] of countPerConnection(this.exchange.requestLog, leg, () => true)) {
      throw new Error(`${leg.name}: exchange connection ${id} saw ${n} request(s) on /private`);
    }
  }
}

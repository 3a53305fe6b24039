import { BybitAdapter, type BybitAdapterOptions, type ClientLogger } from '@exchange-connection/core';
import { BybitTestExchange, FaultProxy, type BybitTestExchangeOptions, type ExchangeEvent } from '@exchange-connection/testkit';
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
import { BybitConsumerLog } from './bybit-consumer-log.js';

export const TICKER = 'tickers.BTCUSDT';
export const BOOK = 'orderbook.50.BTCUSDT';
export const TRADES = 'publicTrade.ETHUSDT';
export const LINEAR_TOPICS: readonly string[] = [TICKER, BOOK, TRADES];
export const PRIVATE_TOPICS: readonly string[] = ['order', 'execution', 'position', 'wallet'];

export type LegName = 'linear' | 'private';

export const FAULT_ACCOUNT = { apiKey: 'fault-key', apiSecret: 'fault-secret-456' };

/** Defaults: 2 consumers per leg, silence bound 1500 ms (an event-loop stall on a busy machine must not trip it). */
export interface BybitHarnessConfig extends Omit<LegConnectionConfig, 'rotation'> {
  /** The session's `{"op":"ping"}` period (default 0.2 s). */
  pingIntervalSec?: number;
  exchange?: Omit<BybitTestExchangeOptions, 'accounts' | 'feedIntervalMs' | 'onEvent'>;
  adapter?: Partial<Record<LegName, Omit<BybitAdapterOptions, 'market'>>>;
}

/** One supervised connection of the harness (one Bybit endpoint) and what watches it. */
export class Leg extends VenueLeg<LegName, BybitConsumerLog> {
  /** Every `auth` op a client of this leg wrote: `[apiKey, expires, signature]`, in order. */
  readonly auths: Array<[string, number, string]>;

  constructor(name: LegName, url: string, config: BybitHarnessConfig, logger: ClientLogger) {
    const auths: Array<[string, number, string]> = [];
    const adapter = new BybitAdapter({
      market: name,
      backOff: ADAPTER_BACK_OFF,
      logger,
      ...config.adapter?.[name],
    });
    tapEncodes(adapter, (method, params) => {
      if (method === 'auth') auths.push([...(params as { args: [string, number, string] }).args]);
    });
    super(name, adapter, {
      connectionName: `bybit-${name}`,
      url,
      session: {
        credentials:
          name === 'private'
            ? { kind: 'client_credentials', clientId: FAULT_ACCOUNT.apiKey, clientSecret: FAULT_ACCOUNT.apiSecret }
            : undefined,
        heartbeatIntervalSec: config.pingIntervalSec ?? 0.2,
      },
      requestTimeoutMs: 2_000,
      silenceTimeoutMs: config.silenceTimeoutMs ?? 1500,
      client: config.client,
      circuitBreaker: config.circuitBreaker,
      logger,
    });
    this.auths = auths;
  }
}

/**
 * One BybitTestExchange behind a FaultProxy; a linear and a private SupervisedConnection through
 * the proxy, each watched by N consumers recording every message; a feed pump and a sweep.
 */
export class BybitFaultHarness extends VenueFaultHarness<LegName, BybitConsumerLog, BybitTestExchange, BybitInvariantLimits> {
  readonly legs: Record<LegName, Leg>;

  private constructor(
    exchange: BybitTestExchange,
    proxy: FaultProxy,
    baseline: ResourceCounts,
    config: BybitHarnessConfig,
    logger: ClientLogger,
  ) {
    super(exchange, proxy, baseline, config.silenceTimeoutMs ?? 1500);
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
      if (event.type !== 'connection') return;
      const leg =
        event.route === 'private' ? ref.harness?.legs.private : event.route === 'linear' ? ref.harness?.legs.linear : undefined;
      leg?.exchangeConnections.push(event.connectionId);
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
    harness.begin(
      (leg) => (leg === 'linear' ? LINEAR_TOPICS : PRIVATE_TOPICS),
      config.consumers ?? 2,
      config.pumpIntervalMs ?? 25,
    );
    return harness;
  }

  protected newConsumer(id: number): BybitConsumerLog {
    return new BybitConsumerLog(id);
  }

  protected pump(): void {
    for (const leg of this.legList()) for (const topic of leg.desired) this.exchange.publish(leg.name, topic);
  }

  /** The exchange-side connections of one leg's market that are open now. */
  liveConnections(leg: Leg) {
    return this.exchange.connections().filter((c) => c.market === leg.name);
  }

  protected held(leg: Leg): string[][] {
    return this.liveConnections(leg).map((c) => [...c.subscriptions].sort());
  }

  protected override assertHeld(leg: Leg): void {
    if (leg.name === 'private') expectEqual(this.liveConnections(leg)[0]?.authenticated, true, 'private socket authenticated');
  }

  /** At most the expected subscribe ops and one auth per socket; every auth signed its own, later expires. */
  protected assertLegRequests(leg: Leg, limits: BybitInvariantLimits): void {
    const maxSubscribe = limits.subscribeOpsPerConnection ?? 1;
    for (const [id, n] of countPerConnection(this.exchange.opLog, leg, (e) => e.op === 'subscribe')) {
      if (n > maxSubscribe)
        throw new Error(`${leg.name}: exchange connection ${id} saw ${n} subscribe ops (limit ${maxSubscribe})`);
    }
    for (const [id, n] of countPerConnection(this.exchange.opLog, leg, (e) => e.op === 'auth')) {
      if (n > 1) throw new Error(`${leg.name}: exchange connection ${id} saw ${n} auth ops`);
    }
    const expires = leg.auths.map(([, e]) => e);
    for (let i = 1; i < expires.length; i++) {
      if (!(expires[i]! > expires[i - 1]!))
        throw new Error(`${leg.name}: auth ${i} reused or went back in expires: ${expires.join(',')}`);
    }
  }
}

export interface BybitInvariantLimits extends LegInvariantLimits {
  /** Subscribe ops the exchange may see on one connection (default 1: every restore is one request here). */
  subscribeOpsPerConnection?: number;
}

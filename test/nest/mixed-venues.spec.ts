import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { ExchangeConnection } from '@exchange-connection/core';
import {
  ConnectionSupervisorService,
  ExchangeConnectionModule,
  InjectExchangeConnection,
  exchangeConnectionFromEnv,
} from '@exchange-connection/nestjs';
import { ExchangeConnectionHealthIndicator, ExchangeConnectionHealthModule } from '@exchange-connection/nestjs/health';
import { ExchangeConnectionMetricsModule } from '@exchange-connection/nestjs/metrics';
import { BinanceTestExchange, type BybitTestExchange, type TestExchange } from '@exchange-connection/testkit';
import { Registry } from 'prom-client';
import { firstValueFrom } from 'rxjs';
import { BYBIT_ACCOUNT, startBybit } from '../bybit/bybit-fixtures.js';
import { CREDENTIALS, captureLogger, startExchange } from '../supervisor/fixtures.js';
import { waitFor } from '../support/wait-for.js';
import { connectionsFromEnv, envModule } from './nest-fixtures.js';

@Injectable()
class BothVenues {
  constructor(
    @InjectExchangeConnection('deribit') readonly deribit: ExchangeConnection,
    @InjectExchangeConnection('bybit') readonly bybit: ExchangeConnection,
  ) {}
}

/** A ConfigService stand-in: the module only needs `get(key)`. */
const ENV = 'MIXED_VENUES_ENV';

/** The value of one labelled sample in Prometheus text, or undefined. */
function sample(text: string, metric: string, connection: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${metric}{connection="${connection}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('ExchangeConnectionModule with a Deribit and a Bybit connection from the environment', () => {
  let deribitExchange: TestExchange;
  let bybitExchange: BybitTestExchange;
  let app: TestingModule;
  let registry: Registry;

  beforeAll(async () => {
    [deribitExchange, bybitExchange] = await Promise.all([startExchange(), startBybit({ feedIntervalMs: 20 })]);
    const env: Record<string, string> = {
      DERIBIT_URL: deribitExchange.url,
      DERIBIT_CLIENT_ID: CREDENTIALS.clientId,
      DERIBIT_CLIENT_SECRET: CREDENTIALS.clientSecret,
      DERIBIT_RECONNECT_BASE_DELAY_MS: '20',
      DERIBIT_RECONNECT_MAX_DELAY_MS: '200',
      // BYBIT_VENUE unset: the app's defaultVenue names it; the market comes from the URL's path.
      BYBIT_URL: bybitExchange.url('linear'),
      BYBIT_HEARTBEAT_INTERVAL_SEC: '1',
      BYBIT_RECONNECT_BASE_DELAY_MS: '20',
      BYBIT_RECONNECT_MAX_DELAY_MS: '200',
    };
    const EnvModule = envModule(ENV, env);
    @Module({ providers: [BothVenues], exports: [BothVenues] })
    class ConsumerModule {}
    registry = new Registry();
    app = await Test.createTestingModule({
      imports: [
        ExchangeConnectionModule.forRootAsync({
          isGlobal: true,
          imports: [EnvModule],
          useFactory: () => ({ sweepIntervalMs: 100, logger: captureLogger() }),
          connections: [
            exchangeConnectionFromEnv('deribit', { inject: ENV }),
            exchangeConnectionFromEnv('bybit', { inject: ENV, defaultVenue: (name) => (name === 'bybit' ? 'bybit' : 'deribit') }),
          ],
        }),
        ConsumerModule,
        ExchangeConnectionHealthModule,
        ExchangeConnectionMetricsModule.forRoot({ registry }),
      ],
    }).compile();
    await app.init();
    const { deribit, bybit } = app.get(BothVenues);
    await Promise.all([deribit.whenReady(10_000), bybit.whenReady(10_000)]);
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([deribitExchange?.stop(), bybitExchange?.stop()]);
  });

  it('streams each venue’s channels through the connection injected by its name', async () => {
    const { deribit, bybit } = app.get(BothVenues);
    const [deribitTick, bybitTick] = await Promise.all([
      firstValueFrom(deribit.channel$<{ instrument_name: string }>('ticker.BTC-PERPETUAL.100ms')),
      firstValueFrom(bybit.channel$<{ topic: string; data: { symbol: string } }>('tickers.BTCUSDT')),
    ]);
    expect(deribitTick.instrument_name).toBe('BTC-PERPETUAL');
    // Bybit hands over its whole message: topic, type (snapshot/delta) and data.
    expect(bybitTick).toMatchObject({ topic: 'tickers.BTCUSDT', data: { symbol: 'BTCUSDT' } });
    // Each venue's server saw its own subscribe op, and nothing of the other's protocol.
    expect(bybitExchange.opLog.some((entry) => entry.op === 'subscribe')).toBe(true);
    expect(bybitExchange.opLog.some((entry) => entry.op === 'auth')).toBe(false);
  });

  it('reports health per connection, with the sockets carrying each', async () => {
    const supervisor = app.get(ConnectionSupervisorService);
    expect(supervisor.list().map((c) => c.name)).toEqual(['deribit', 'bybit']);
    const report = app.get(ExchangeConnectionHealthIndicator).isHealthy();
    expect(report).toMatchObject({
      exchange: {
        status: 'up',
        connections: { deribit: { state: 'ready', shards: 1 }, bybit: { state: 'ready', shards: 1 } },
      },
    });
    expect(JSON.stringify(report)).not.toContain(BYBIT_ACCOUNT.apiSecret);
  });

  it('labels every metric by connection, both venues side by side', async () => {
    const { deribit, bybit } = app.get(BothVenues);
    const keep = [deribit.channel$('ticker.ETH-PERPETUAL.100ms').subscribe(), bybit.channel$('publicTrade.BTCUSDT').subscribe()];
    try {
      await waitFor(() => deribit.stats().messagesReceived > 0 && bybit.stats().messagesReceived > 0);
      const text = await registry.metrics();
      for (const name of ['deribit', 'bybit']) {
        expect(sample(text, 'exchange_connection_up', name)).toBe(1);
        expect(sample(text, 'exchange_connection_shards', name)).toBe(1);
        expect(sample(text, 'exchange_connection_subscriptions', name)).toBeGreaterThanOrEqual(1);
        expect(sample(text, 'exchange_connection_messages_received_total', name)).toBeGreaterThan(0);
      }
    } finally {
      for (const s of keep) s.unsubscribe();
    }
  });

  it('recovers one venue’s dropped sockets without touching the other connection', async () => {
    const { deribit, bybit } = app.get(BothVenues);
    const deribitReconnects = deribit.stats().reconnects;
    const bybitReconnects = bybit.stats().reconnects;
    const ticks = bybit.channel$('tickers.ETHUSDT');
    await firstValueFrom(ticks);
    bybitExchange.terminateAll();
    await waitFor(() => bybit.stats().reconnects > bybitReconnects && bybit.state === 'ready', { timeoutMs: 10_000 });
    // The stream survives the rebuild: a new tick arrives on the same observable.
    await firstValueFrom(ticks);
    expect(deribit.stats().reconnects).toBe(deribitReconnects);
    expect(deribit.state).toBe('ready');
  });
});

describe('a Bybit connection that needs several sockets, from forRoot', () => {
  let bybitExchange: BybitTestExchange;
  let app: TestingModule;
  let registry: Registry;
  /** Low enough that a handful of topics fill a socket (the venue's own limit is 21,000 characters). */
  const ARGS_CHARS = 64;

  beforeAll(async () => {
    bybitExchange = await startBybit({ feedIntervalMs: 20, argsCharsPerConnection: ARGS_CHARS });
    registry = new Registry();
    app = await Test.createTestingModule({
      imports: [
        ExchangeConnectionModule.forRoot({
          sweepIntervalMs: 100,
          logger: captureLogger(),
          connections: [
            {
              name: 'bybit',
              venue: 'bybit',
              url: bybitExchange.url('linear'),
              bybit: { market: 'linear', maxArgsChars: ARGS_CHARS },
              session: { heartbeatIntervalSec: 1 },
              rebuild: { baseDelayMs: 20, maxBackoffMs: 200 },
            },
          ],
        }),
        ExchangeConnectionHealthModule,
        ExchangeConnectionMetricsModule.forRoot({ registry }),
      ],
    }).compile();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await bybitExchange?.stop();
  });

  it('spreads topics over sockets within the limit, one stream per topic, and health and metrics count the sockets', async () => {
    const connection = app.get(ConnectionSupervisorService).get('bybit');
    const topics = ['BTCUSDT', 'ETHUSDT'].flatMap((s) => [`tickers.${s}`, `publicTrade.${s}`, `orderbook.50.${s}`]);
    const firsts = await Promise.all(topics.map((t) => firstValueFrom(connection.channel$<{ topic: string }>(t))));
    expect(firsts.map((m) => m.topic)).toEqual(topics);
    const shards = connection.shardCount;
    expect(shards).toBeGreaterThan(1);
    // The venue's side: no socket holds more than its limit.
    for (const socket of bybitExchange.connections()) {
      expect(JSON.stringify(socket.subscriptions).length).toBeLessThanOrEqual(ARGS_CHARS + 2);
    }
    await connection.whenReady(5_000);
    const report = app.get(ExchangeConnectionHealthIndicator).isHealthy();
    expect(report).toMatchObject({ exchange: { status: 'up', connections: { bybit: { state: 'ready', shards } } } });
    expect(sample(await registry.metrics(), 'exchange_connection_shards', 'bybit')).toBe(shards);
  });
});

describe('a Binance connection from the environment beside a Deribit one', () => {
  let deribitExchange: TestExchange;
  let binanceExchange: BinanceTestExchange;
  let app: TestingModule;

  beforeAll(async () => {
    [deribitExchange, binanceExchange] = await Promise.all([
      startExchange(),
      BinanceTestExchange.start({ port: 0, seed: 11, feedIntervalMs: 20 }),
    ]);
    const env: Record<string, string> = {
      DERIBIT_URL: deribitExchange.url,
      // The market comes from the path (/stream: spot); the REST base serves the book snapshots.
      BINANCE_VENUE: 'binance',
      BINANCE_URL: binanceExchange.urls.spotCombined,
      BINANCE_REST_URL: binanceExchange.urls.rest,
    };
    app = await Test.createTestingModule({
      imports: [connectionsFromEnv(env, ['deribit', 'binance']), ExchangeConnectionHealthModule],
    }).compile();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([deribitExchange?.stop(), binanceExchange?.stop()]);
  });

  it('streams a Binance ticker and a REST-stitched book, and reports both connections', async () => {
    const supervisor = app.get(ConnectionSupervisorService);
    const binance = supervisor.get('binance');
    const [ticker, book] = await Promise.all([
      firstValueFrom(binance.channel$<{ e: string; s: string }>('btcusdt@ticker')),
      firstValueFrom(binance.channel$<unknown>('btcusdt@depth@100ms')),
    ]);
    expect(ticker).toMatchObject({ e: '24hrTicker', s: 'BTCUSDT' });
    expect(book).toBeDefined();
    await Promise.all([binance.whenReady(5_000), supervisor.get('deribit').whenReady(5_000)]);
    expect(app.get(ExchangeConnectionHealthIndicator).isHealthy()).toMatchObject({
      exchange: { status: 'up', connections: { deribit: { state: 'ready' }, binance: { state: 'ready', shards: 1 } } },
    });
  });
});

import type { INestApplication } from '@nestjs/common';
import { type ConnectionEvent, type ExchangeConnection } from '@exchange-connection/core';
import { getExchangeConnectionToken } from '@exchange-connection/nestjs';
import type { TestExchange } from '@exchange-connection/testkit';
import { createMarketDataApp, type MarketDataAppOptions } from '../../apps/market-data/src/bootstrap.js';
import { type EmbeddedExchange, startEmbeddedExchange } from '../../apps/market-data/src/embedded/embedded-exchange.js';
import { StreamTestClient } from './stream-test-client.js';

export interface MarketDataTestbedSetup {
  exchange: Parameters<typeof startEmbeddedExchange>[0];
  /** The app's options, given the started exchange (its URL and credentials). */
  app(embedded: EmbeddedExchange): MarketDataAppOptions;
}

/** The example app over its embedded exchange, booted once for a describe block. */
export interface MarketDataTestbed {
  readonly embedded: EmbeddedExchange;
  readonly exchange: TestExchange;
  readonly app: INestApplication;
  readonly httpUrl: string;
  readonly streamUrl: string;
  /** The 'deribit' connection, ready when the tests start. */
  readonly connection: ExchangeConnection;
  /** Every event of the 'deribit' connection since before the app listened. */
  readonly events: ConnectionEvent[];
  /** A /stream client past its welcome frame; closed after the test. */
  streamClient(): Promise<StreamTestClient>;
}

/**
 * Registers beforeAll/afterEach/afterAll in the calling describe block: the embedded exchange, then
 * the app (events recorded from before it listens), ready; stream clients closed after each test;
 * the app closed before the exchange stops.
 */
export function useMarketDataApp(setup: MarketDataTestbedSetup): MarketDataTestbed {
  let embedded: EmbeddedExchange | undefined;
  let started: { app: INestApplication; httpUrl: string; streamUrl: string; connection: ExchangeConnection } | undefined;
  const events: ConnectionEvent[] = [];
  const clients: StreamTestClient[] = [];
  const booted = () => {
    if (embedded === undefined || started === undefined) throw new Error('the app testbed runs only inside its describe block');
    return { embedded, ...started };
  };

  beforeAll(async () => {
    embedded = await startEmbeddedExchange(setup.exchange);
    const { app, httpUrl, streamUrl } = await createMarketDataApp({
      ...setup.app(embedded),
      beforeListen: (created) => {
        created.get<ExchangeConnection>(getExchangeConnectionToken('deribit')).events$.subscribe((e) => events.push(e));
      },
    });
    const connection = app.get<ExchangeConnection>(getExchangeConnectionToken('deribit'));
    started = { app, httpUrl, streamUrl, connection };
    await connection.whenReady(10_000);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await started?.app.close();
    await embedded?.exchange.stop();
  });

  return {
    get embedded() {
      return booted().embedded;
    },
    get exchange() {
      return booted().embedded.exchange;
    },
    get app() {
      return booted().app;
    },
    get httpUrl() {
      return booted().httpUrl;
    },
    get streamUrl() {
      return booted().streamUrl;
    },
    get connection() {
      return booted().connection;
    },
    events,
    async streamClient() {
      const c = await StreamTestClient.connect(booted().streamUrl);
      clients.push(c);
      await c.waitFrames((f) => f.type === 'welcome', 1, 'welcome');
      return c;
    },
  };
}

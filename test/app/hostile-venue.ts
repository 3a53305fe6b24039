import type { ExchangeConnection } from '@exchange-connection/core';
import { getExchangeConnectionToken } from '@exchange-connection/nestjs';
import { type MarketDataApp, type MarketDataAppOptions, createMarketDataApp } from '../../apps/market-data/src/bootstrap.js';
import { embeddedConnectionOptions } from '../../apps/market-data/src/embedded/embedded-exchange.js';
import type { HostileServer } from '../support/hostile-deribit-server.js';

export interface HostileApp extends MarketDataApp {
  connection: ExchangeConnection;
}

/**
 * The app over a HostileServer: no heartbeats (the venue sends only what a test tells it to), quick
 * channel retries, status pushed every 100 ms, JSON logs. `options` override any of it.
 */
export async function bootAppOver(venue: HostileServer, options: MarketDataAppOptions = {}): Promise<HostileApp> {
  const connections = embeddedConnectionOptions(venue.url, {
    kind: 'client_credentials',
    clientId: 'hostile-id',
    clientSecret: 'hostile-secret-value',
  });
  const connection = connections.connections[0]!;
  connection.client = { ...connection.client, heartbeat: false };
  connection.silenceTimeoutMs = 60_000;
  const started = await createMarketDataApp({
    connections,
    channelRetry: { baseDelayMs: 50, maxDelayMs: 400 },
    statusIntervalMs: 100,
    logger: ['fatal', 'error', 'warn', 'log'],
    logFormat: 'json',
    ...options,
  });
  return { ...started, connection: started.app.get<ExchangeConnection>(getExchangeConnectionToken('deribit')) };
}

import { type ExchangeConnection } from '@exchange-connection/core';
import { getExchangeConnectionToken } from '@exchange-connection/nestjs';
import { createMarketDataApp, type MarketDataApp } from '../../apps/market-data/src/bootstrap.js';
import {
  type EmbeddedExchange,
  embeddedConnectionOptions,
  startEmbeddedExchange,
} from '../../apps/market-data/src/embedded/embedded-exchange.js';
import type { StreamLimits } from '../../apps/market-data/src/ticker/stream-limits.js';
import { resourceSnapshot, settleNoResourceGrowth } from '../support/open-handles.js';
import { waitFor } from '../support/wait-for.js';
import { StreamTestClient } from './stream-test-client.js';

interface Booted extends MarketDataApp {
  embedded: EmbeddedExchange;
  connection: ExchangeConnection;
  close(): Promise<void>;
}

async function boot(stream: Partial<StreamLimits> = {}): Promise<Booted> {
  const embedded = await startEmbeddedExchange({ feedIntervalMs: 50 });
  const started = await createMarketDataApp({
    connections: embeddedConnectionOptions(embedded.exchange.url, embedded.credentials),
    stream,
    logger: false,
    onShutdown: [{ name: 'embedded exchange', run: () => embedded.exchange.stop() }],
  });
  const connection = started.app.get<ExchangeConnection>(getExchangeConnectionToken('deribit'));
  await connection.whenReady(10_000);
  return { ...started, embedded, connection, close: () => started.app.close() };
}

describe('market-data app limits and lifecycle', () => {
  it('boots, serves, and closes (exchange included) without leaving a handle behind', async () => {
    const before = resourceSnapshot();
    const booted = await boot();
    const client = await StreamTestClient.connect(booted.streamUrl);
    client.send({ type: 'subscribe', channel: 'book.BTC-PERPETUAL.100ms' });
    await client.waitFrames((f) => f.type === 'data' && f.channel === 'book.BTC-PERPETUAL.100ms', 2, 'book frames');
    expect((await fetch(`${booted.httpUrl}/health`)).status).toBe(200);
    await booted.close();
    // The app closes its gateway clients and stops the embedded exchange (onShutdown) itself.
    await waitFor(() => client.closeCode !== undefined, { message: 'gateway client closed by app.close()' });
    await settleNoResourceGrowth(before, { timeoutMs: 3_000 });
  });

  it('closes clients beyond maxClients with 1013 and clients that keep sending garbage with 1008', async () => {
    const booted = await boot({ maxClients: 1, maxRefusedInRow: 3 });
    try {
      const first = await StreamTestClient.connect(booted.streamUrl);
      await first.waitFrames((f) => f.type === 'welcome');
      const second = await StreamTestClient.connect(booted.streamUrl);
      await waitFor(() => second.closeCode === 1013, { message: 'second client refused with 1013' });

      for (let i = 0; i < 3; i += 1) first.send('garbage');
      await waitFor(() => first.closeCode === 1008, { message: 'garbage sender closed with 1008' });
      expect(first.of('error').map((f) => f.code)).toEqual(['bad_json', 'bad_json', 'bad_json']);

      // The slot is free again and the app still serves.
      const third = await StreamTestClient.connect(booted.streamUrl);
      third.send({ type: 'subscribe', channel: 'ticker.BTC-PERPETUAL.100ms' });
      await third.waitFrames((f) => f.type === 'data', 2, 'ticks for the next client');
      await third.close();
    } finally {
      await booted.close();
    }
  });

  it('reports rejected credentials as down on /health without echoing them, and pushes the state to clients', async () => {
    const booted = await boot();
    try {
      const client = await StreamTestClient.connect(booted.streamUrl);
      await client.waitFrames((f) => f.type === 'welcome');
      booted.embedded.exchange.setRejectAuth(true);
      booted.embedded.exchange.terminateAll();
      await waitFor(() => booted.connection.state === 'circuit-open', {
        timeoutMs: 10_000,
        message: 'circuit open on rejected credentials',
      });
      await client.waitFrames((f) => f.type === 'state' && f.state === 'circuit-open', 1, 'circuit-open pushed');

      for (const path of ['/health', '/health/ready']) {
        const response = await fetch(`${booted.httpUrl}${path}`);
        const text = await response.text();
        expect(response.status).toBe(503);
        expect(text).toContain('circuit-open');
        expect(text).not.toContain(booted.embedded.credentials.clientSecret);
        expect(text).not.toContain(booted.embedded.credentials.clientId);
      }
      await client.close();
    } finally {
      await booted.close();
    }
  });
});

import type { AddressInfo } from 'node:net';
import type { ExchangeConnection } from '@exchange-connection/core';
import { getExchangeConnectionToken } from '@exchange-connection/nestjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { type MarketDataApp, type MarketDataAppOptions, createMarketDataApp } from '../../apps/market-data/src/bootstrap.js';
import { embeddedConnectionOptions } from '../../apps/market-data/src/embedded/embedded-exchange.js';

/**
 * A real `ws` server speaking just enough Deribit JSON-RPC for the app's connection to become
 * ready, that then does what the test exchange never would: leaves channels out of a subscribe
 * result on demand, and pushes any notification the test hands it.
 */
export class HostileVenue {
  /** Channels left out of every subscribe result while listed here. */
  readonly refuse = new Set<string>();
  readonly subscribed = new Set<string>();
  /** While set, every public/auth is answered with this JSON-RPC error. */
  authError: { code: number; message: string } | undefined;
  subscribeCalls = 0;
  connections = 0;
  private closing: Promise<void> | undefined;

  private constructor(private readonly wss: WebSocketServer) {
    wss.on('connection', (ws) => {
      this.connections += 1;
      this.subscribed.clear();
      ws.on('error', () => undefined);
      ws.on('message', (data, isBinary) => {
        if (!isBinary) this.answer(ws, String(data));
      });
    });
  }

  static async start(): Promise<HostileVenue> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    return new HostileVenue(wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws/api/v2`;
  }

  /** A subscription notification on `channel`, to every socket. */
  notify(channel: string, data: unknown): void {
    this.sendRaw(JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: { channel, data } }));
  }

  sendRaw(frame: string): void {
    for (const ws of this.wss.clients) ws.send(frame);
  }

  /** Drops every socket (the app rebuilds its session). */
  terminateAll(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const ws of this.wss.clients) ws.terminate();
      this.wss.close(() => resolve());
    });
    return this.closing;
  }

  private answer(ws: WebSocket, text: string): void {
    let request: { id?: unknown; method?: unknown; params?: { channels?: unknown } };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      return;
    }
    if (typeof request.id !== 'number' || typeof request.method !== 'string') return;
    const channels = Array.isArray(request.params?.channels)
      ? request.params.channels.filter((c): c is string => typeof c === 'string')
      : [];
    let result: unknown = 'ok';
    if (request.method === 'public/auth' && this.authError !== undefined) {
      ws.send(
        JSON.stringify({ jsonrpc: '2.0', id: request.id, error: this.authError, usIn: 0, usOut: 0, usDiff: 0, testnet: true }),
      );
      return;
    }
    switch (request.method) {
      case 'public/auth':
        result = { access_token: 'a', refresh_token: 'r', expires_in: 900, token_type: 'bearer', scope: 'connection' };
        break;
      case 'public/subscribe':
      case 'private/subscribe': {
        this.subscribeCalls += 1;
        const accepted = channels.filter((c) => !this.refuse.has(c));
        for (const c of accepted) this.subscribed.add(c);
        result = accepted;
        break;
      }
      case 'public/unsubscribe':
      case 'private/unsubscribe':
        for (const c of channels) this.subscribed.delete(c);
        result = channels;
        break;
      case 'public/test':
        result = { version: 'hostile' };
        break;
    }
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result, usIn: 0, usOut: 0, usDiff: 0, testnet: true }));
  }
}

export interface HostileApp extends MarketDataApp {
  connection: ExchangeConnection;
}

/**
 * The app over a HostileVenue: no heartbeats (the venue sends only what a test tells it to), quick
 * channel retries, status pushed every 100 ms, JSON logs. `options` override any of it.
 */
export async function bootAppOver(venue: HostileVenue, options: MarketDataAppOptions = {}): Promise<HostileApp> {
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

import { BinanceTestExchange, type BinanceTestExchangeOptions } from '@exchange-connection/testkit';
import type { Subscription } from 'rxjs';
import {
  BinanceAdapter,
  SupervisedConnection,
  type BinanceAdapterOptions,
  type ExchangeConnectionError,
  type PreparedSocket,
  type SupervisedConnectionOptions,
} from '@exchange-connection/core';
import { waitFor } from '../support/wait-for.js';

/**
 * USDⓈ-M user data (`futures-user-data`: a listenKey over REST before every socket, `/private/ws`)
 * over the real client and supervisor against the Binance test exchange, on loopback sockets.
 */
interface FuturesEvent {
  e: string;
  E: number;
  o?: { i: number; x: string };
}

const credentials = { kind: 'client_credentials' as const, clientId: 'test-key', clientSecret: 'test-secret' };

let exchange: BinanceTestExchange;
const connections: Array<{ close(): Promise<void> }> = [];
const subscriptions: Subscription[] = [];
/** Every line the adapter and the supervisor logged, with its fields. */
const logged: string[] = [];
const recording = {
  log: (message: string, context?: unknown) => void logged.push(`${message} ${JSON.stringify(context)}`),
  warn: (message: string, context?: unknown) => void logged.push(`${message} ${JSON.stringify(context)}`),
  error: (message: string, context?: unknown) => void logged.push(`${message} ${JSON.stringify(context)}`),
  debug: (message: string, context?: unknown) => void logged.push(`${message} ${JSON.stringify(context)}`),
};

async function start(options: BinanceTestExchangeOptions = {}): Promise<BinanceTestExchange> {
  exchange = await BinanceTestExchange.start({ feedIntervalMs: 0, ...options });
  return exchange;
}

function futuresUser(
  adapter: Partial<BinanceAdapterOptions> = {},
  extra: Partial<SupervisedConnectionOptions> = {},
): SupervisedConnection {
  const connection = new SupervisedConnection({
    name: 'binance-futures-user',
    url: exchange.urls.usdmPrivate,
    venue: new BinanceAdapter({
      market: 'futures-user-data',
      restUrl: exchange.urls.rest,
      logger: recording,
      backOff: { baseDelayMs: 20, maxDelayMs: 100 },
      ...adapter,
    }),
    session: { credentials },
    rebuild: { baseDelayMs: 20, maxBackoffMs: 100 },
    logger: recording,
    ...extra,
  });
  connections.push(connection);
  return connection;
}

function collect(connection: SupervisedConnection): FuturesEvent[] {
  const events: FuturesEvent[] = [];
  subscriptions.push(connection.channel$<FuturesEvent>('userData').subscribe((event) => events.push(event)));
  return events;
}

/** The account's active listenKey, as the venue hands it to anyone with the API key (POST returns the active one). */
async function activeListenKey(): Promise<string> {
  const response = await fetch(`${exchange.urls.rest}/fapi/v1/listenKey`, {
    method: 'POST',
    headers: { 'X-MBX-APIKEY': 'test-key' },
  });
  return ((await response.json()) as { listenKey: string }).listenKey;
}

afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await exchange?.stop();
  logged.length = 0;
});

describe('BinanceAdapter futures-user-data (listenKey on /private)', () => {
  it('gets a listenKey before the socket, delivers the account’s events on userData, keeps the key alive by PUT', async () => {
    await start();
    const connection = futuresUser({ listenKeyKeepAliveMs: 100 });
    const events = collect(connection);
    connection.start();
    await connection.whenReady(5_000);
    expect(exchange.counters).toMatchObject({ listenKeysCreated: 1, privateConnections: 1 });
    exchange.publishFuturesUserData('test-key', 6);
    await waitFor(() => events.length === 6);
    for (const event of events) expect(['ORDER_TRADE_UPDATE', 'ACCOUNT_UPDATE']).toContain(event.e);
    await waitFor(() => exchange.counters.listenKeyKeepAlives >= 3);
    expect(exchange.counters).toMatchObject({ listenKeysCreated: 1, listenKeysExpired: 0, listenKeyErrors: 0 });
    expect(connection.stats().reconnects).toBe(0);
    // The key opens the account's stream: it is in no log line, stat or error.
    const key = await activeListenKey();
    expect(logged.join('\n')).not.toContain(key);
    expect(JSON.stringify(connection.stats())).not.toContain(key);
  });

  it('the key’s expiry (listenKeyExpired) rebuilds on a new key; the stream resumes, nothing repeated', async () => {
    await start();
    const connection = futuresUser();
    const events = collect(connection);
    connection.start();
    await connection.whenReady(5_000);
    exchange.publishFuturesUserData('test-key', 3);
    await waitFor(() => events.length === 3);
    const first = await activeListenKey();

    expect(exchange.expireListenKeys('test-key')).toBe(1);
    await waitFor(() => exchange.counters.privateConnections === 2 && connection.state === 'ready');
    expect(exchange.counters.listenKeysCreated).toBe(2);
    expect(await activeListenKey()).not.toBe(first);
    expect(connection.stats().lastError?.message).toMatch(/listenKeyExpired/);

    exchange.publishFuturesUserData('test-key', 3);
    await waitFor(() => events.length === 6);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toHaveLength(6);
    expect(events.map((event) => event.e)).not.toContain('listenKeyExpired');
    expect(new Set(events.map((event) => event.E)).size).toBe(6);
    expect(exchange.connections()).toHaveLength(1);
  });

  it('a key left without keepalive lapses on the venue and is replaced; a keepalive within the validity keeps one key', async () => {
    await start({ listenKeyValidityMs: 400 });
    const kept = futuresUser({ listenKeyKeepAliveMs: 100 });
    kept.start();
    await kept.whenReady(5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(exchange.counters).toMatchObject({ listenKeysCreated: 1, listenKeysExpired: 0 });
    expect(kept.stats().reconnects).toBe(0);
    await kept.close();

    exchange.expireListenKeys();
    exchange.resetCounters();
    const lapsing = futuresUser({ listenKeyKeepAliveMs: 60_000 });
    const events = collect(lapsing);
    lapsing.start();
    await lapsing.whenReady(5_000);
    await waitFor(() => exchange.counters.listenKeysExpired >= 1 && exchange.counters.privateConnections >= 2, {
      timeoutMs: 5_000,
    });
    await lapsing.whenReady(5_000);
    exchange.publishFuturesUserData('test-key', 2);
    await waitFor(() => events.length === 2);
  });

  it('a keepalive answered -1125 (the expiry event lost) rebuilds on a new key', async () => {
    await start();
    const connection = futuresUser({ listenKeyKeepAliveMs: 100 });
    const events = collect(connection);
    connection.start();
    await connection.whenReady(5_000);
    // The expiry event never reaches the client: only the keepalive can tell.
    exchange.setBlackHole(true);
    exchange.expireListenKeys('test-key');
    await waitFor(() => exchange.counters.listenKeyErrors >= 1);
    exchange.setBlackHole(false);
    await waitFor(() => exchange.counters.listenKeysCreated === 2 && connection.state === 'ready');
    expect(connection.stats().lastError?.message).toMatch(/-1125/);
    exchange.publishFuturesUserData('test-key', 2);
    await waitFor(() => events.length === 2);
  });

  it('a dropped socket is rebuilt with the account’s still valid key; each event once', async () => {
    await start();
    const connection = futuresUser();
    const events = collect(connection);
    connection.start();
    await connection.whenReady(5_000);
    exchange.publishFuturesUserData('test-key', 2);
    await waitFor(() => events.length === 2);
    exchange.terminateAll();
    await waitFor(() => exchange.counters.privateConnections === 2 && connection.state === 'ready');
    // POST before the new socket: the venue answered the active key, extended.
    expect(exchange.counters).toMatchObject({ listenKeysCreated: 1, listenKeysReturned: 1 });
    exchange.publishFuturesUserData('test-key', 2);
    await waitFor(() => events.length === 4);
    expect(new Set(events.map((event) => event.E)).size).toBe(4);
  });

  it('a make-before-break rotation opens the new socket on the account’s key; every event once, none missed', async () => {
    await start();
    const connection = futuresUser();
    const events = collect(connection);
    connection.start();
    await connection.whenReady(5_000);
    let published = 0;
    const pump = setInterval(() => {
      if (exchange.publishFuturesUserData('test-key', 1) > 0) published += 1;
    }, 20);
    try {
      await waitFor(() => events.length >= 3);
      const outcome = await connection.rotate('test');
      expect(outcome.outcome).toBe('completed');
      await waitFor(() => exchange.connections().length === 1);
      const after = published;
      await waitFor(() => published >= after + 3);
    } finally {
      clearInterval(pump);
    }
    await waitFor(() => events.length === published);
    expect(new Set(events.map((event) => event.E)).size).toBe(events.length);
    expect(exchange.counters).toMatchObject({ listenKeysCreated: 1, listenKeysReturned: 1, privateConnections: 2 });
    expect(connection.stats().reconnects).toBe(0);
  });

  it('a revoked API key opens the circuit with a clear typed error, naming neither key', async () => {
    await start();
    const connection = futuresUser();
    collect(connection);
    connection.start();
    await connection.whenReady(5_000);
    const key = await activeListenKey();
    exchange.revokeApiKey('test-key');
    await waitFor(() => connection.state === 'circuit-open');
    const error = await connection.whenReady().catch((e: ExchangeConnectionError) => e);
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', message: expect.stringMatching(/API key rejected.*-2015/) });
    expect(connection.stats().lastError).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const everything = `${JSON.stringify(connection.stats())}\n${String(error)}\n${logged.join('\n')}`;
    expect(everything).not.toContain('test-secret');
    expect(everything).not.toContain(key);
    expect(everything).not.toMatch(/test-key/);
  });

  it('a rate-limited POST (429) is backed off and then succeeds', async () => {
    await start();
    exchange.setRestRejection(429);
    const connection = futuresUser({ backOff: { baseDelayMs: 50, maxDelayMs: 50, maxAttempts: 20 } });
    connection.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // No socket without a key: the POST is backed off, then retried.
    expect(exchange.counters.connections).toBe(0);
    exchange.setRestRejection(null);
    await connection.whenReady(5_000);
    expect(exchange.counters.listenKeysCreated).toBe(1);
  });

  it('close releases the keepalive timer: no PUT after it', async () => {
    await start();
    const connection = futuresUser({ listenKeyKeepAliveMs: 50 });
    connection.start();
    await connection.whenReady(5_000);
    await waitFor(() => exchange.counters.listenKeyKeepAlives >= 1);
    await connection.close();
    const after = exchange.counters.listenKeyKeepAlives;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exchange.counters.listenKeyKeepAlives).toBe(after);
  });
});

describe('BinanceAdapter futures-user-data configuration', () => {
  it('needs an API key, takes /private[/ws] or a bare origin, refuses a fixed listenKey or a keepalive past 59 min', () => {
    const adapter = new BinanceAdapter({ market: 'futures-user-data' });
    expect(() => adapter.validateSessionOptions({})).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() =>
      adapter.validateSessionOptions({ credentials: { kind: 'client_credentials', clientId: '', clientSecret: 'x' } }),
    ).toThrow(/API key/);
    expect(adapter.socketUrl('wss://fstream.binance.com')).toBe('wss://fstream.binance.com/private/ws');
    expect(adapter.socketUrl('wss://fstream.binance.com/private')).toBe('wss://fstream.binance.com/private/ws');
    expect(adapter.socketUrl('wss://fstream.binance.com/private/ws')).toBe('wss://fstream.binance.com/private/ws');
    expect(() => adapter.socketUrl('wss://fstream.binance.com/market')).toThrow(/url path must be \/private\/ws/);
    expect(() => adapter.socketUrl('wss://fstream.binance.com/private/ws?listenKey=abc')).toThrow(/listenKey/);
    expect(() => new BinanceAdapter({ market: 'futures-user-data', listenKeyKeepAliveMs: 3_600_000 })).toThrow(
      /listenKeyKeepAliveMs/,
    );
    expect(adapter.isPrivateChannel('userData')).toBe(true);
    expect(adapter.shardBudget).toBeUndefined();
    expect(new BinanceAdapter({ market: 'spot' }).prepareSocket).toBeUndefined();
  });

  it('puts the key (and the events list, listenKeyExpired always in it) in the URL; the lease prints it redacted', async () => {
    await start();
    const adapter = new BinanceAdapter({
      market: 'futures-user-data',
      restUrl: exchange.urls.rest,
      futuresUserEvents: ['ORDER_TRADE_UPDATE'],
    });
    const lease = (await adapter.prepareSocket?.(
      adapter.socketUrl(exchange.urls.usdmPrivate),
      { credentials },
      new AbortController().signal,
    )) as PreparedSocket;
    const key = await activeListenKey();
    expect(lease.url).toBe(`${exchange.urls.usdmPrivate}/ws?listenKey=${key}&events=ORDER_TRADE_UPDATE/listenKeyExpired`);
    expect(JSON.stringify(lease)).not.toContain(key);
    expect(JSON.stringify(lease)).toContain('listenKey=***');
    const { inspect } = await import('node:util');
    expect(inspect(lease)).not.toContain(key);
    // The session keeps the key alive from its restore until its dispose.
    const session = adapter.createSession(
      { request: () => Promise.resolve(null) } as never,
      { credentials },
      () => undefined,
      lease,
    ) as {
      restore(): Promise<void>;
      dispose(): void;
      keepAliveArmed: boolean;
    };
    await session.restore();
    expect(session.keepAliveArmed).toBe(true);
    session.dispose();
    expect(session.keepAliveArmed).toBe(false);
  });
});

import { BinanceTestExchange, type BinanceTestExchangeOptions } from '@exchange-connection/testkit';
import { generateKeyPairSync } from 'node:crypto';
import type { Subscription } from 'rxjs';
import {
  BinanceAdapter,
  ShardedConnection,
  SupervisedConnection,
  binanceStream,
  type BinanceAdapterOptions,
  type BinanceBookMessage,
  type BinanceLevel,
  type ConnectionEvent,
  type ExchangeConnectionError,
  type SupervisedConnectionOptions,
  type VenueSession,
} from '@exchange-connection/core';
import { waitFor } from '../support/wait-for.js';

/**
 * The adapter over the real client and supervisor against the Binance-protocol test exchange, on
 * loopback sockets. Each test opens its own exchange and closes everything it opened.
 */
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

let exchange: BinanceTestExchange;
const connections: Array<{ close(): Promise<void> }> = [];
const subscriptions: Subscription[] = [];

async function start(options: BinanceTestExchangeOptions = {}): Promise<BinanceTestExchange> {
  exchange = await BinanceTestExchange.start({ feedIntervalMs: 0, ...options });
  return exchange;
}

function supervised(
  adapter: BinanceAdapterOptions,
  url: string,
  extra: Partial<SupervisedConnectionOptions> = {},
): SupervisedConnection {
  const connection = new SupervisedConnection({
    name: `binance-${adapter.market}`,
    url,
    venue: new BinanceAdapter({ restUrl: exchange.urls.rest, logger: silent, ...adapter }),
    rebuild: { baseDelayMs: 20, maxBackoffMs: 100 },
    logger: silent,
    ...extra,
  });
  connections.push(connection);
  return connection;
}

afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await exchange?.stop();
});

/** A consumer's book: a snapshot clears it, updates apply; levels of quantity 0 go. */
class LocalBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  u = 0;
  snapshots = 0;
  updates = 0;
  /** Chain breaks the consumer saw (must stay 0). */
  breaks = 0;

  constructor(private readonly flavour: 'spot' | 'futures') {}

  apply(message: BinanceBookMessage): void {
    if (message.e === 'depthSnapshot') {
      this.bids.clear();
      this.asks.clear();
      this.snapshots += 1;
    } else {
      const prev = this.flavour === 'spot' ? message.U - 1 : message.pu;
      if (prev !== this.u) this.breaks += 1;
      this.updates += 1;
    }
    for (const [p, q] of message.b)
      if (Number(q) === 0) this.bids.delete(p);
      else this.bids.set(p, q);
    for (const [p, q] of message.a)
      if (Number(q) === 0) this.asks.delete(p);
      else this.asks.set(p, q);
    this.u = message.u;
  }

  side(which: 'bids' | 'asks', depth: number): BinanceLevel[] {
    const order = which === 'bids' ? -1 : 1;
    return [...this[which].entries()].sort((a, b) => order * (Number(a[0]) - Number(b[0]))).slice(0, depth);
  }
}

describe('BinanceAdapter over a supervised connection (test exchange)', () => {
  it('spot market streams: live SUBSCRIBE on the combined path, payloads delivered per stream', async () => {
    await start();
    const connection = supervised({ market: 'spot' }, exchange.urls.spotCombined);
    const trades: unknown[] = [];
    subscriptions.push(connection.channel$(binanceStream.trade('BTCUSDT')).subscribe((t) => trades.push(t)));
    connection.start();
    await connection.whenReady(5_000);
    await waitFor(() => exchange.counters.subscribeCalls === 1);
    exchange.publish('spot', 'btcusdt@trade', 3);
    await waitFor(() => trades.length === 3);
    expect(trades[0]).toMatchObject({ e: 'trade', s: 'BTCUSDT', t: expect.any(Number) });
    expect(exchange.connections()).toEqual([expect.objectContaining({ route: 'spot-stream', combined: true })]);
  });

  it.each([
    ['spot', 'spot', () => exchange.urls.spotCombined, 'btcusdt@depth@100ms'],
    ['futures', 'usdm', () => exchange.urls.usdmPublic, 'btcusdt@depth@100ms'],
  ] as const)(
    '%s book: REST snapshot stitched to the diff stream; the consumer book equals the venue book',
    async (flavour, product, url, stream) => {
      await start();
      const market = flavour === 'spot' ? 'spot' : 'futures-public';
      const connection = supervised({ market }, url());
      const book = new LocalBook(flavour);
      subscriptions.push(connection.channel$<BinanceBookMessage>(stream).subscribe((m) => book.apply(m)));
      connection.start();
      await connection.whenReady(5_000);
      // Events before and while the snapshot is fetched are buffered; the next one stitches.
      await waitFor(() => {
        exchange.publish(product, stream, 1);
        return book.snapshots === 1;
      });
      exchange.publish(product, stream, 20);
      await waitFor(() => book.updates >= 20);
      const venue = exchange.depthSnapshot(product, 'BTCUSDT', 5000);
      expect(book.u).toBe(venue.lastUpdateId);
      expect(book.side('bids', 5000)).toEqual(venue.bids);
      expect(book.side('asks', 5000)).toEqual(venue.asks);
      expect(book.breaks).toBe(0);
      expect(exchange.counters.depthSnapshots).toBeGreaterThanOrEqual(1);
    },
  );

  it('a book gap resubscribes that stream alone and a fresh snapshot follows; the consumer never sees a break', async () => {
    await start();
    const connection = supervised({ market: 'spot' }, exchange.urls.spotCombined);
    const stream = 'btcusdt@depth@100ms';
    const book = new LocalBook('spot');
    const events: ConnectionEvent[] = [];
    subscriptions.push(connection.events$.subscribe((e) => events.push(e)));
    subscriptions.push(connection.channel$<BinanceBookMessage>(stream).subscribe((m) => book.apply(m)));
    subscriptions.push(connection.channel$('btcusdt@trade').subscribe());
    connection.start();
    await connection.whenReady(5_000);
    await waitFor(() => {
      exchange.publish('spot', stream, 1);
      return book.snapshots === 1;
    });
    exchange.injectBookGap('spot', stream);
    await waitFor(() => {
      exchange.publish('spot', stream, 1);
      return book.snapshots === 2;
    });
    exchange.publish('spot', stream, 5);
    await waitFor(() => book.u === exchange.depthSnapshot('spot', 'BTCUSDT').lastUpdateId);
    expect(events.filter((e) => e.type === 'gap')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'down')).toHaveLength(0);
    expect(book.breaks).toBe(0);
    const venue = exchange.depthSnapshot('spot', 'BTCUSDT', 5000);
    expect(book.side('bids', 5000)).toEqual(venue.bids);
    expect(exchange.counters.unsubscribeCalls).toBe(1);
  });

  it('futures: a lost event breaks the pu chain; the stream alone is resynced from a new REST snapshot', async () => {
    await start();
    const connection = supervised({ market: 'futures-public' }, exchange.urls.usdmPublic);
    const stream = 'ethusdt@depth@500ms';
    const book = new LocalBook('futures');
    const events: ConnectionEvent[] = [];
    subscriptions.push(connection.events$.subscribe((e) => events.push(e)));
    subscriptions.push(connection.channel$<BinanceBookMessage>(stream).subscribe((m) => book.apply(m)));
    connection.start();
    await connection.whenReady(5_000);
    await waitFor(() => {
      exchange.publish('usdm', stream, 1);
      return book.snapshots === 1;
    });
    exchange.injectBookGap('usdm', stream);
    await waitFor(() => {
      exchange.publish('usdm', stream, 1);
      return book.snapshots === 2;
    });
    exchange.publish('usdm', stream, 5);
    await waitFor(() => book.u === exchange.depthSnapshot('usdm', 'ETHUSDT').lastUpdateId);
    expect(events.filter((e) => e.type === 'gap')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'down')).toHaveLength(0);
    expect(book.breaks).toBe(0);
    const venue = exchange.depthSnapshot('usdm', 'ETHUSDT', 1000);
    expect(book.side('asks', 1000)).toEqual(venue.asks);
  });

  it('spreads streams over sockets within maxStreamsPerSocket, never above the frame rate', async () => {
    const symbols = Array.from({ length: 30 }, (_, i) => `S${i}USDT`);
    await start({ symbols: { spot: symbols } });
    const connection = new ShardedConnection({
      name: 'binance-sharded',
      url: exchange.urls.spotCombined,
      venue: new BinanceAdapter({
        market: 'spot',
        restUrl: exchange.urls.rest,
        maxStreamsPerSocket: 25,
        maxStreamsPerRequest: 4,
        logger: silent,
      }),
      logger: silent,
    });
    connections.push(connection);
    const streams = symbols.flatMap((s) => [binanceStream.trade(s), binanceStream.bookTicker(s)]);
    for (const stream of streams) subscriptions.push(connection.channel$(stream).subscribe());
    connection.start();
    await connection.whenReady(20_000);
    expect(connection.shardCount).toBe(3);
    const held = exchange.connections().map((c) => c.streams.length);
    expect(held.reduce((a, b) => a + b, 0)).toBe(60);
    expect(Math.max(...held)).toBeLessThanOrEqual(25);
    expect(exchange.counters.peakMessagesPerSecond).toBeLessThanOrEqual(5);
    expect(exchange.counters.messageRateCloses).toBe(0);
  });

  it('refuses a stream the venue does not serve without losing the rest of its batch', async () => {
    await start();
    const connection = supervised({ market: 'spot', maxStreamsPerRequest: 10 }, exchange.urls.spotCombined);
    const errors: ExchangeConnectionError[] = [];
    subscriptions.push(connection.channel$('btcusdt@trade').subscribe());
    subscriptions.push(connection.channel$('ethusdt@trade').subscribe());
    subscriptions.push(connection.channel$('xyzusdt@trade').subscribe({ error: (e: ExchangeConnectionError) => errors.push(e) }));
    subscriptions.push(connection.channel$('NOT A STREAM').subscribe({ error: (e: ExchangeConnectionError) => errors.push(e) }));
    connection.start();
    await connection.whenReady(5_000);
    await waitFor(() => errors.length === 2);
    expect(errors.map((e) => e.code)).toEqual(['CHANNEL_REFUSED', 'CHANNEL_REFUSED']);
    expect(exchange.connections()[0]?.streams.sort()).toEqual(['btcusdt@trade', 'ethusdt@trade']);
  });
});

describe('BinanceAdapter user data over the WebSocket API', () => {
  const credentials = { kind: 'client_credentials' as const, clientId: 'test-key', clientSecret: 'test-secret' };

  it('signed subscribe, events delivered, restored after a rebuild and after eventStreamTerminated', async () => {
    await start();
    const connection = supervised({ market: 'user-data' }, exchange.urls.wsApi, { session: { credentials } });
    const events: Array<{ e: string }> = [];
    subscriptions.push(connection.channel$<{ e: string }>('userData').subscribe((e) => events.push(e)));
    connection.start();
    await connection.whenReady(5_000);
    exchange.publishUserData('test-key', 2);
    await waitFor(() => events.length === 2);
    expect(events[0]?.e).toEqual(expect.any(String));

    exchange.endUserDataStreams('test-key');
    await waitFor(() => exchange.counters.userDataSubscriptions === 2);
    exchange.publishUserData('test-key', 1);
    await waitFor(() => events.length === 3);

    exchange.terminateAll();
    await waitFor(() => exchange.counters.userDataSubscriptions === 3 && connection.state === 'ready');
    exchange.publishUserData('test-key', 1);
    await waitFor(() => events.length === 4);
    expect(events.some((e) => e.e === 'eventStreamTerminated')).toBe(false);
  });

  it('an Ed25519 key (a PEM private key as the secret) signs the subscribe in base64', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await start({
      accounts: [{ apiKey: 'ed-key', ed25519PublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }],
    });
    const connection = supervised({ market: 'user-data' }, exchange.urls.wsApi, {
      session: { credentials: { kind: 'client_signature', clientId: 'ed-key', clientSecret: pem } },
    });
    const events: unknown[] = [];
    subscriptions.push(connection.channel$('userData').subscribe((e) => events.push(e)));
    connection.start();
    await connection.whenReady(5_000);
    exchange.publishUserData('ed-key', 1);
    await waitFor(() => events.length === 1);
    expect(exchange.counters.apiErrors).toBe(0);
  });

  it('a key revoked mid-session opens the circuit with a clear error (no secret in it)', async () => {
    await start();
    const connection = supervised({ market: 'user-data' }, exchange.urls.wsApi, { session: { credentials } });
    subscriptions.push(connection.channel$('userData').subscribe());
    connection.start();
    await connection.whenReady(5_000);
    exchange.revokeApiKey('test-key');
    await waitFor(() => connection.state === 'circuit-open');
    const error = await connection.whenReady().catch((e: ExchangeConnectionError) => e);
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', message: expect.stringMatching(/API key rejected.*-2015/) });
    expect(JSON.stringify(connection.stats())).not.toContain('test-secret');
  });

  it('a user-data connection without credentials fails at construction', () => {
    expect(
      () =>
        new SupervisedConnection({
          name: 'x',
          url: 'ws://127.0.0.1:1/ws-api/v3',
          venue: new BinanceAdapter({ market: 'user-data' }),
        }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('BinanceAdapter hooks', () => {
  it('serverShutdown is a rotation notice; overlap keys follow book u, trade t, aggTrade a', () => {
    const adapter = new BinanceAdapter({ market: 'spot' });
    const session = adapter.createSession({ request: () => Promise.resolve(null) } as never, {}, () => undefined) as VenueSession;
    expect(session.route({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: 1 } })).toEqual({
      kind: 'rotate',
      reason: 'serverShutdown',
    });
    expect(session.route({ e: 'serverShutdown', E: 1 })).toEqual({ kind: 'rotate', reason: 'serverShutdown' });
    expect(adapter.overlapKey('btcusdt@depth@100ms', { e: 'depthUpdate', U: 5, u: 9 })).toBe(9);
    expect(adapter.overlapKey('btcusdt@trade', { e: 'trade', t: 77 })).toBe(77);
    expect(adapter.overlapKey('btcusdt@aggTrade', { e: 'aggTrade', a: 12 })).toBe(12);
    expect(adapter.overlapKey('btcusdt@ticker', { e: '24hrTicker', E: 3 })).toBeUndefined();
    expect(adapter.maxSocketLifetimeMs).toBe(86_400_000);
    expect(adapter.outboundRate).toEqual({ messages: 5, perMs: 1000, marginMs: 100 });
    expect(new BinanceAdapter({ market: 'futures-public' }).outboundRate).toMatchObject({ messages: 10 });
    expect(adapter.socketUrl('wss://stream.binance.com:9443')).toBe('wss://stream.binance.com:9443/stream');
    expect(adapter.socketUrl('wss://stream.binance.com:9443/ws')).toBe('wss://stream.binance.com:9443/stream');
    expect(() => adapter.socketUrl('wss://stream.binance.com:9443/other')).toThrow(/url path must be \/stream/);
    session.dispose();
  });
});

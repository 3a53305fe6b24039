import { useVenueTestbed } from '../spec-support/venue-testbed.js';
import type { BinanceTestExchangeOptions } from './binance-options.js';
import { BinanceApiClient, BinanceStreamClient } from './binance-test-clients.js';
import { BinanceTestExchange } from './binance-test-exchange.js';

describe('BinanceTestExchange fault switches', () => {
  const testbed = useVenueTestbed(
    (o: BinanceTestExchangeOptions) => BinanceTestExchange.start(o),
    (): BinanceTestExchangeOptions => ({ feedIntervalMs: 0, incomingMessageLimit: false }),
  );
  const connect = async (path = '/ws'): Promise<BinanceStreamClient> =>
    testbed.track(await BinanceStreamClient.connect(`ws://127.0.0.1:${testbed.exchange.port}${path}`));

  it('closeAll sends the close code; terminateAll drops sockets (1006)', async () => {
    const [a, b] = [await connect(), await connect('/ws-api/v3')];
    testbed.exchange.closeAll(1012, 'service restart');
    expect(await a.waitForClose()).toEqual({ code: 1012, reason: 'service restart' });
    expect(await b.waitForClose()).toEqual({ code: 1012, reason: 'service restart' });
    const c = await connect('/public/ws');
    testbed.exchange.terminateAll();
    expect((await c.waitForClose()).code).toBe(1006);
  });

  it('black hole: no answers, no data, no pings and no pong checks; then it recovers', async () => {
    await testbed.restart({
      feedIntervalMs: 20,
      incomingMessageLimit: false,
      pingIntervalMs: { spot: 30, usdm: 30 },
      pongTimeoutMs: { spot: 100, usdm: 100 },
    });
    const client = testbed.track(
      await BinanceStreamClient.connect(`${testbed.exchange.urls.spotStream}/btcusdt@trade`, { autoPong: false }),
    );
    testbed.exchange.setBlackHole(true);
    const [connection] = testbed.exchange.connections();
    await testbed.exchange.waitFor(() => client.messages.length === connection?.framesSent);
    const [seen, pings] = [client.messages.length, client.pings.length];
    await expect(client.request('LIST_SUBSCRIPTIONS', undefined, 300)).rejects.toThrow(/no matching message/);
    expect(client.messages).toHaveLength(seen);
    expect(client.pings).toHaveLength(pings);
    expect(client.isOpen).toBe(true);
    expect(testbed.exchange.counters.pongTimeouts).toBe(0);
    // This client never pongs: pause the pings before the lift so only the black hole is under test.
    testbed.exchange.setHeartbeatsPaused(true);
    testbed.exchange.setBlackHole(false);
    await expect(client.call('LIST_SUBSCRIPTIONS')).resolves.toEqual(['btcusdt@trade']);
  });

  it('restart listens again on the same port; subscriptions and logons are lost', async () => {
    const port = testbed.exchange.port;
    const client = await connect('/ws/btcusdt@trade');
    await testbed.exchange.restart();
    expect((await client.waitForClose()).code).toBe(1006);
    expect(testbed.exchange.port).toBe(port);
    const fresh = await connect();
    expect(await fresh.call('LIST_SUBSCRIPTIONS')).toEqual([]);
  });

  it('setUpgradeRejection answers upgrades with a status; setResponseDelay delays stream answers', async () => {
    testbed.exchange.setUpgradeRejection(503);
    await expect(BinanceStreamClient.connect(testbed.exchange.urls.spotStream)).rejects.toMatchObject({ status: 503 });
    testbed.exchange.setUpgradeRejection(null);
    const client = await connect();
    testbed.exchange.setResponseDelay(120);
    const started = performance.now();
    await client.call('LIST_SUBSCRIPTIONS');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('setRateLimit adds a bucket to WebSocket API connections: 429 / -1003 when empty', async () => {
    const api = testbed.track(await BinanceApiClient.connect(testbed.exchange.urls.wsApi));
    testbed.exchange.setRateLimit({ capacity: 1, refillPerSec: 0 });
    await api.call('ping');
    expect(await api.request('ping')).toMatchObject({ status: 429, error: { code: -1003 } });
    testbed.exchange.setRateLimit(false);
    await expect(api.call('ping')).resolves.toEqual({});
  });

  it('sendMalformed uses each connection’s framing; the connection keeps working', async () => {
    const raw = await connect();
    const combined = await connect('/stream?streams=btcusdt@trade');
    for (const kind of ['garbage', 'binary', 'unknown-id', 'wrong-shape', 'deep-nesting'] as const)
      testbed.exchange.sendMalformed(kind);
    await combined.waitForMessage(() => combined.messages.length >= 5);
    await raw.waitForMessage(() => raw.messages.length >= 5);
    expect(combined.messages[0]).toEqual(expect.stringContaining('"stream":"btcusdt@trade"'));
    expect(combined.messages[2]).toEqual({ result: null, id: 987654321 });
    expect(combined.messages[3]).toEqual({ stream: 'btcusdt@trade', data: 'not-an-object' });
    expect(raw.messages[3]).toEqual({ e: 'depthUpdate', b: 'not-a-list' });
    await expect(raw.call('LIST_SUBSCRIPTIONS')).resolves.toEqual([]);
  });

  it('sendOversized sends a valid trade event of exactly that many bytes', async () => {
    const client = await connect('/stream?streams=btcusdt@trade');
    const size = new Promise<number>((resolve) => client.socket.once('message', (data: Buffer) => resolve(data.length)));
    testbed.exchange.sendOversized(150_000);
    expect(await size).toBe(150_000);
    expect(client.events({ stream: 'btcusdt@trade' })[0]).toMatchObject({ e: 'trade', s: 'BTCUSDT' });
  });

  it('a client frame above maxPayload closes the socket with 1009', async () => {
    await testbed.restart({ feedIntervalMs: 0, incomingMessageLimit: false, maxPayload: 1024 });
    const client = await connect();
    client.sendJson({ method: 'SUBSCRIBE', params: ['x'.repeat(2000)], id: 1 });
    expect((await client.waitForClose()).code).toBe(1009);
  });

  it('stop is idempotent and refuses new connections; options fail fast naming the option', async () => {
    await connect();
    await Promise.all([testbed.exchange.stop(), testbed.exchange.stop()]);
    await expect(BinanceStreamClient.connect(testbed.exchange.urls.spotStream)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(BinanceTestExchange.start({ pongTimeoutMs: { spot: 0 } })).rejects.toThrow(/pongTimeoutMs.spot/);
    await expect(BinanceTestExchange.start({ accounts: [{ apiKey: 'k' }] })).rejects.toThrow(/secretKey or ed25519PublicKey/);
    await expect(BinanceTestExchange.start({ connectionLifetimeMs: -1 })).rejects.toThrow(/connectionLifetimeMs/);
  });
});

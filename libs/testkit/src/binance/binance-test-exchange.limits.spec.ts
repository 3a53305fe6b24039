import { useVenueTestbed } from '../spec-support/venue-testbed.js';
import type { BinanceTestExchangeOptions } from './binance-options.js';
import { BinanceApiClient, BinanceStreamClient } from './binance-test-clients.js';
import { BinanceTestExchange } from './binance-test-exchange.js';

describe('BinanceTestExchange heartbeats, limits and lifetime', () => {
  const testbed = useVenueTestbed(
    (o: BinanceTestExchangeOptions) => BinanceTestExchange.start(o),
    // Pongs count as incoming messages: with pings every 40 ms the 5/s limit would cut first, so it is off here.
    (): BinanceTestExchangeOptions => ({
      feedIntervalMs: 0,
      incomingMessageLimit: false,
      pingIntervalMs: { spot: 40, usdm: 40 },
      pongTimeoutMs: { spot: 200, usdm: 200 },
    }),
  );
  const connect = async (path = '/ws', autoPong = true): Promise<BinanceStreamClient> =>
    testbed.track(await BinanceStreamClient.connect(`ws://127.0.0.1:${testbed.exchange.port}${path}`, { autoPong }));

  it('pings every interval with a payload; pongs echoing it keep the connection', async () => {
    const client = await connect();
    await testbed.exchange.waitFor(() => testbed.exchange.counters.pongsReceived >= 8);
    expect(client.isOpen).toBe(true);
    expect(client.pings.length).toBeGreaterThanOrEqual(8);
    expect(new Set(client.pings.map((p) => p.toString())).size).toBe(client.pings.length);
    expect(testbed.exchange.counters.pongTimeouts).toBe(0);
  });

  it('no pong within the timeout: the server closes the connection', async () => {
    const client = await connect('/ws', false);
    expect(await client.waitForClose()).toEqual({ code: 1000, reason: 'pong timeout' });
    expect(client.pings.length).toBeGreaterThan(0);
    expect(testbed.exchange.counters.pongTimeouts).toBe(1);
  });

  it('unsolicited pongs (not echoing a ping) do not prevent the disconnect', async () => {
    const client = await connect('/ws', false);
    const timer = setInterval(() => client.socket.pong(Buffer.from('unsolicited')), 20);
    try {
      expect((await client.waitForClose()).reason).toBe('pong timeout');
    } finally {
      clearInterval(timer);
    }
  });

  it('setIgnorePongs: answered pings no longer count; setHeartbeatsPaused: no pings at all', async () => {
    const client = await connect();
    testbed.exchange.setIgnorePongs(true);
    expect((await client.waitForClose()).reason).toBe('pong timeout');
    testbed.exchange.setIgnorePongs(false);
    testbed.exchange.setHeartbeatsPaused(true);
    const quiet = await connect('/ws', false);
    await expect(quiet.waitForClose(500)).rejects.toThrow(/still open/);
    expect(quiet.pings).toHaveLength(0);
  });

  it('USDⓈ-M and the WebSocket API get server pings too', async () => {
    const usdm = await connect('/public/ws', false);
    const api = testbed.track(await BinanceApiClient.connect(testbed.exchange.urls.wsApi, { autoPong: false }));
    expect((await usdm.waitForClose()).reason).toBe('pong timeout');
    expect((await api.waitForClose()).reason).toBe('pong timeout');
  });

  // Each burst goes out in one tick, so all of it lands within the second however loaded the machine is.
  const burst = (client: BinanceStreamClient, n: number): void => {
    for (let id = 1; id <= n; id += 1) client.sendJson({ method: 'LIST_SUBSCRIPTIONS', id });
  };
  const answered = (client: BinanceStreamClient): number =>
    client.messages.filter((m) => (m as { result?: unknown }).result !== undefined).length;

  it('spot: 5 incoming messages per second are answered; the 6th closes the connection (1008)', async () => {
    await testbed.restart({ feedIntervalMs: 0 });
    const client = await connect();
    burst(client, 6);
    expect(await client.waitForClose()).toEqual({ code: 1008, reason: 'too many messages' });
    expect(answered(client)).toBe(5);
    expect(testbed.exchange.counters).toMatchObject({ messagesIn: 6, peakMessagesPerSecond: 6, messageRateCloses: 1 });
  });

  it('a client that stays within the limit is never cut, and the peak says so', async () => {
    await testbed.restart({ feedIntervalMs: 0 });
    const client = await connect();
    burst(client, 5);
    await client.waitForMessage(() => answered(client) === 5);
    expect(client.isOpen).toBe(true);
    expect(testbed.exchange.counters).toMatchObject({ peakMessagesPerSecond: 5, messageRateCloses: 0 });
  });

  it('ping and pong frames count as incoming messages', async () => {
    await testbed.restart({ feedIntervalMs: 0 });
    const client = await connect();
    for (let i = 0; i < 6; i += 1) client.socket.ping();
    expect((await client.waitForClose()).code).toBe(1008);
  });

  it('USDⓈ-M allows 10 per second', async () => {
    await testbed.restart({ feedIntervalMs: 0 });
    const client = await connect('/market/ws');
    burst(client, 11);
    expect((await client.waitForClose()).code).toBe(1008);
    expect(answered(client)).toBe(10);
  });

  it('a connection is closed at the end of its lifetime', async () => {
    await testbed.restart({ feedIntervalMs: 0, connectionLifetimeMs: 150 });
    const client = await connect('/stream?streams=btcusdt@trade');
    expect(await client.waitForClose()).toEqual({ code: 1000, reason: 'connection lifetime exceeded' });
    expect(testbed.exchange.counters.lifetimeCloses).toBe(1);
  });

  it('sendServerShutdown: the event in each framing, then a close after closeAfterMs', async () => {
    await testbed.restart({ feedIntervalMs: 0 });
    const raw = await connect('/ws');
    const combined = await connect('/stream?streams=btcusdt@trade');
    const api = testbed.track(await BinanceApiClient.connect(testbed.exchange.urls.wsApi));
    expect(testbed.exchange.sendServerShutdown({ closeAfterMs: 50 })).toBe(3);
    expect(await raw.waitForMessage(() => true)).toEqual({ e: 'serverShutdown', E: expect.any(Number) });
    expect(await combined.waitForMessage(() => true)).toEqual({
      stream: '!serverShutdown',
      data: { e: 'serverShutdown', E: expect.any(Number) },
    });
    expect(await api.waitForMessage(() => true)).toEqual({ event: { e: 'serverShutdown', E: expect.any(Number) } });
    for (const client of [raw, combined, api])
      expect(await client.waitForClose()).toEqual({ code: 1001, reason: 'server shutdown' });
    expect(testbed.exchange.counters.serverShutdownsSent).toBe(3);
  });

  it('refuses connection attempts beyond the limit with 429', async () => {
    let clock = 0;
    await testbed.restart({ feedIntervalMs: 0, now: () => clock, connectionLimit: { max: 2, windowMs: 300_000 } });
    await connect();
    await connect('/ws-api/v3');
    await expect(BinanceStreamClient.connect(`${testbed.exchange.urls.spotStream}`)).rejects.toMatchObject({ status: 429 });
    expect(testbed.exchange.counters.connectionsRefused).toBe(1);
    clock += 300_000;
    await expect(connect()).resolves.toBeDefined();
  });
});

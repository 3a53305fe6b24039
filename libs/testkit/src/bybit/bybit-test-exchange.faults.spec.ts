import { sleep } from '../../../../test/support/wait-for.js';
import { useVenueTestbed } from '../spec-support/venue-testbed.js';
import type { BybitTestExchangeOptions } from './bybit-options.js';
import { BybitTestClient } from './bybit-test-client.js';
import { BybitTestExchange } from './bybit-test-exchange.js';
import type { BybitMarket } from './bybit-topics.js';

describe('BybitTestExchange limits and faults', () => {
  const testbed = useVenueTestbed(
    (o: BybitTestExchangeOptions) => BybitTestExchange.start(o),
    (): BybitTestExchangeOptions => ({ feedIntervalMs: 0, level1ResnapshotMs: 0 }),
  );
  const connect = async (market: BybitMarket, query = ''): Promise<BybitTestClient> =>
    testbed.track(await BybitTestClient.connect(`${testbed.exchange.url(market)}${query}`));

  it('cuts a connection with neither ping nor data after idleTimeoutMs', async () => {
    await testbed.restart({ feedIntervalMs: 0, idleTimeoutMs: 150 });
    const client = await connect('linear');
    expect(await client.waitForClose(3000)).toEqual({ code: 1000, reason: 'idle timeout' });
    expect(testbed.exchange.counters.idleCloses).toBe(1);
  });

  it('a client that pings is never cut, even when the server stops answering the pings', async () => {
    await testbed.restart({ feedIntervalMs: 0, idleTimeoutMs: 400 });
    const client = await connect('spot');
    testbed.exchange.setHeartbeatsPaused(true);
    for (let i = 0; i < 20; i += 1) {
      client.sendJson({ op: 'ping' });
      await sleep(50); // the client's ping period; 20 × 50 ms spans two and a half idle timeouts
    }
    await testbed.exchange.waitFor(() => testbed.exchange.counters.pings === 20);
    expect(client.isOpen).toBe(true);
    expect(testbed.exchange.counters).toMatchObject({ pings: 20, pongs: 0, idleCloses: 0 });
    expect(client.messages).toHaveLength(0);
  });

  it('data sent by the server keeps a connection alive too', async () => {
    await testbed.restart({ feedIntervalMs: 30, idleTimeoutMs: 400 });
    const client = await connect('linear');
    await client.subscribe(['publicTrade.BTCUSDT']);
    await client.waitForTopicMessages('publicTrade.BTCUSDT', 30);
    expect(client.isOpen).toBe(true);
    expect(testbed.exchange.counters.idleCloses).toBe(0);
  });

  it('max_active_time sets the private cut (30s..600s or 1m..10m, scaled by activeTimeScale); other values get 400', async () => {
    await testbed.restart({ feedIntervalMs: 0, activeTimeScale: 0.005 });
    const client = await connect('private', '?max_active_time=30s');
    const minute = await connect('private', '?max_active_time=1m');
    expect(testbed.exchange.connections().map((c) => c.idleTimeoutMs)).toEqual([150, 300]);
    expect(await client.waitForClose(3000)).toMatchObject({ code: 1000 });
    for (const bad of ['29s', '601s', '11m', '30', 'abc']) {
      await expect(BybitTestClient.connect(`${testbed.exchange.url('private')}?max_active_time=${bad}`)).rejects.toMatchObject({
        status: 400,
      });
    }
    const publicOne = await connect('linear', '?max_active_time=30s');
    expect(testbed.exchange.connections().find((c) => c.market === 'linear')?.idleTimeoutMs).toBe(600_000);
    await publicOne.close();
    await minute.close();
  });

  it('black hole: no pong, no data, no idle cut; the socket stays open, then recovers', async () => {
    await testbed.restart({ feedIntervalMs: 20, idleTimeoutMs: 100 });
    const client = await connect('linear');
    await client.subscribe(['publicTrade.BTCUSDT']);
    testbed.exchange.setBlackHole(true);
    const [connection] = testbed.exchange.connections();
    await testbed.exchange.waitFor(() => client.messages.length === connection?.framesSent);
    const seen = client.messages.length;
    await expect(client.ping(300)).rejects.toThrow(/no matching message/);
    expect(client.messages).toHaveLength(seen);
    expect(client.isOpen).toBe(true);
    expect(testbed.exchange.counters.idleCloses).toBe(0);
    testbed.exchange.setBlackHole(false);
    await expect(client.ping()).resolves.toMatchObject({ ret_msg: 'pong' });
  });

  it('rate limit: ops beyond the bucket get 10006; pings are never limited', async () => {
    let clock = 1_000;
    await testbed.restart({ feedIntervalMs: 0, now: () => clock, rateLimit: { capacity: 2, refillPerSec: 1 } });
    const client = await connect('linear');
    await client.subscribe(['tickers.BTCUSDT']);
    await client.subscribe(['tickers.ETHUSDT']);
    expect((await client.op('unsubscribe', ['tickers.BTCUSDT'])).ret_msg).toBe(
      'error:Too many visits. Exceeded the API Rate Limit,code:10006',
    );
    await expect(client.ping()).resolves.toMatchObject({ ret_msg: 'pong' });
    expect(testbed.exchange.counters.rateLimited).toBe(1);
    clock += 1000;
    await expect(client.unsubscribe(['tickers.BTCUSDT'])).resolves.toMatchObject({ success: true });
    testbed.exchange.setRateLimit(false);
    for (let i = 0; i < 5; i += 1) await client.unsubscribe(['tickers.BTCUSDT']);
  });

  it('setOpRejection: every op but ping fails with the code (a restarting service)', async () => {
    const client = await connect('private');
    testbed.exchange.setOpRejection(10016);
    expect((await client.op('auth', ['k', 1, 's'])).ret_msg).toBe('error:Service is restarting,code:10016');
    await expect(client.ping()).resolves.toMatchObject({ op: 'pong' });
    testbed.exchange.setOpRejection(null);
    await expect(client.auth()).resolves.toMatchObject({ success: true });
  });

  it('refuses connection attempts beyond the limit with 429 until the window passes', async () => {
    let clock = 0;
    await testbed.restart({ feedIntervalMs: 0, now: () => clock, connectionLimit: { max: 2, windowMs: 300_000 } });
    await connect('spot');
    await connect('linear');
    await expect(BybitTestClient.connect(testbed.exchange.url('private'))).rejects.toMatchObject({ status: 429 });
    expect(testbed.exchange.counters).toMatchObject({ connections: 2, connectionsRefused: 1 });
    clock += 300_000;
    await expect(connect('private')).resolves.toBeDefined();
  });

  it('closeAll sends the close code; terminateAll drops sockets (1006)', async () => {
    const [a, b] = [await connect('spot'), await connect('private')];
    testbed.exchange.closeAll(1012, 'service restart');
    expect(await a.waitForClose()).toEqual({ code: 1012, reason: 'service restart' });
    expect(await b.waitForClose()).toEqual({ code: 1012, reason: 'service restart' });
    const c = await connect('linear');
    testbed.exchange.terminateAll();
    expect((await c.waitForClose()).code).toBe(1006);
  });

  it('restart listens again on the same port; authentication and subscriptions are lost', async () => {
    const port = testbed.exchange.port;
    const client = await connect('private');
    await client.auth();
    await testbed.exchange.restart();
    expect((await client.waitForClose()).code).toBe(1006);
    expect(testbed.exchange.port).toBe(port);
    const fresh = await connect('private');
    expect((await fresh.op('subscribe', ['order'])).ret_msg).toBe('Request not authorized');
  });

  it('setUpgradeRejection answers upgrades with a status; setResponseDelay delays acks and pongs', async () => {
    testbed.exchange.setUpgradeRejection(503);
    await expect(BybitTestClient.connect(testbed.exchange.url('spot'))).rejects.toMatchObject({ status: 503 });
    testbed.exchange.setUpgradeRejection(null);
    const client = await connect('spot');
    testbed.exchange.setResponseDelay(120);
    const started = performance.now();
    await client.ping();
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(() => testbed.exchange.setResponseDelay(-1)).toThrow(RangeError);
  });

  it('sendMalformed delivers each kind in Bybit’s envelope; the connection keeps working', async () => {
    const client = await connect('linear');
    const binary = new Promise<boolean>((resolve) => client.socket.once('message', (_data, isBinary) => resolve(isBinary)));
    testbed.exchange.sendMalformed('binary');
    expect(await binary).toBe(true);
    for (const kind of ['garbage', 'unknown-id', 'wrong-shape', 'deep-nesting'] as const) testbed.exchange.sendMalformed(kind);
    await client.waitForMessage(() => client.messages.length >= 5);
    expect(client.messages[1]).toEqual(expect.stringContaining('"topic":"tickers.BTCUSDT"'));
    expect(client.messages[2]).toMatchObject({ success: true, req_id: '987654321', op: 'subscribe' });
    expect(client.messages[3]).toMatchObject({ topic: 'tickers.BTCUSDT', data: 'not-an-object' });
    expect(client.messages[4]).toMatchObject({ topic: 'tickers.BTCUSDT' });
    await expect(client.ping()).resolves.toMatchObject({ ret_msg: 'pong' });
  });

  it('sendOversized sends a valid ticker snapshot of exactly that many bytes', async () => {
    const client = await connect('linear');
    const size = new Promise<number>((resolve) => client.socket.once('message', (data: Buffer) => resolve(data.length)));
    testbed.exchange.sendOversized(100_000);
    expect(await size).toBe(100_000);
    expect(client.messages[0]).toMatchObject({ topic: 'tickers.BTCUSDT', type: 'snapshot' });
  });

  it('a client frame above maxPayload closes the socket with 1009', async () => {
    await testbed.restart({ feedIntervalMs: 0, maxPayload: 1024 });
    const client = await connect('linear');
    client.sendJson({ op: 'subscribe', args: ['x'.repeat(2000)] });
    expect((await client.waitForClose()).code).toBe(1009);
  });

  it('stop is idempotent and refuses new connections; waitFor names what it waited for', async () => {
    await connect('spot');
    await Promise.all([testbed.exchange.stop(), testbed.exchange.stop()]);
    await expect(BybitTestClient.connect(testbed.exchange.url('spot'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(testbed.exchange.waitFor(() => testbed.exchange.counters.auth > 0, 30)).rejects.toThrow(
      /BybitTestExchange.waitFor timed out/,
    );
  });

  it('options fail fast, naming the option', async () => {
    await expect(BybitTestExchange.start({ idleTimeoutMs: 0 })).rejects.toThrow(/idleTimeoutMs/);
    await expect(BybitTestExchange.start({ accounts: [] })).rejects.toThrow(/accounts/);
    await expect(BybitTestExchange.start({ symbols: { spot: [] } })).rejects.toThrow(/symbols.spot/);
    await expect(BybitTestExchange.start({ connectionLimit: { max: 0, windowMs: 1 } })).rejects.toThrow(/connectionLimit.max/);
  });
});

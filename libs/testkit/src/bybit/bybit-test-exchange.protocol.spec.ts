import { useVenueTestbed } from '../spec-support/venue-testbed.js';
import { BybitTestClient } from './bybit-test-client.js';
import { BybitTestExchange } from './bybit-test-exchange.js';
import type { BybitTestExchangeOptions } from './bybit-options.js';
import type { BybitMarket } from './bybit-topics.js';

describe('BybitTestExchange protocol', () => {
  const testbed = useVenueTestbed(
    (o: BybitTestExchangeOptions) => BybitTestExchange.start(o),
    (): BybitTestExchangeOptions => ({ feedIntervalMs: 0 }),
  );
  const connect = async (market: BybitMarket): Promise<BybitTestClient> =>
    testbed.track(await BybitTestClient.connect(testbed.exchange.url(market)));

  it('serves the v5 endpoints on loopback and refuses other paths with 404', async () => {
    const { exchange } = testbed;
    expect(exchange.urls).toEqual({
      spot: `ws://127.0.0.1:${exchange.port}/v5/public/spot`,
      linear: `ws://127.0.0.1:${exchange.port}/v5/public/linear`,
      private: `ws://127.0.0.1:${exchange.port}/v5/private`,
    });
    await expect(BybitTestClient.connect(`ws://127.0.0.1:${exchange.port}/v5/public/option`)).rejects.toMatchObject({
      status: 404,
    });
    const response = await fetch(`http://127.0.0.1:${exchange.port}/v5/public/spot`);
    expect(response.status).toBe(426);
    await response.text();
  });

  it('answers {"op":"ping"} in the shape of each endpoint', async () => {
    const spot = await connect('spot');
    const linear = await connect('linear');
    const priv = await connect('private');
    expect(await spot.ping()).toEqual({ success: true, ret_msg: 'pong', conn_id: expect.any(String), req_id: 't1', op: 'ping' });
    expect(await linear.ping()).toEqual({
      success: true,
      ret_msg: 'pong',
      conn_id: expect.any(String),
      req_id: 't1',
      op: 'ping',
    });
    const pong = await priv.ping();
    expect(pong).toEqual({ req_id: 't1', op: 'pong', args: [expect.stringMatching(/^\d+$/)], conn_id: expect.any(String) });
    linear.sendJson({ op: 'ping' });
    expect(
      await linear.waitForMessage(
        (m) => (m as { ret_msg?: string }).ret_msg === 'pong' && (m as { req_id?: string }).req_id === '',
      ),
    ).toMatchObject({ req_id: '', op: 'ping' });
    spot.sendJson({ op: 'ping' });
    const bare = await spot.waitForMessage((m) => (m as { ret_msg?: string }).ret_msg === 'pong' && !('req_id' in (m as object)));
    expect(bare).toEqual({ success: true, ret_msg: 'pong', conn_id: expect.any(String), op: 'ping' });
    expect(testbed.exchange.counters).toMatchObject({ pings: 5, pongs: 5 });
  });

  it('acknowledges subscribe per endpoint: spot names the op in ret_msg, linear always carries req_id', async () => {
    const spot = await connect('spot');
    const linear = await connect('linear');
    expect(await spot.subscribe(['tickers.BTCUSDT'])).toEqual({
      success: true,
      ret_msg: 'subscribe',
      conn_id: expect.any(String),
      req_id: 't1',
      op: 'subscribe',
    });
    expect(await linear.subscribe(['tickers.BTCUSDT'])).toEqual({
      success: true,
      ret_msg: '',
      conn_id: expect.any(String),
      req_id: 't1',
      op: 'subscribe',
    });
    expect(await spot.unsubscribe(['tickers.BTCUSDT'])).toMatchObject({ success: true, ret_msg: 'unsubscribe' });
    const conns = testbed.exchange.connections();
    expect(conns.find((c) => c.market === 'linear')?.subscriptions).toEqual(['tickers.BTCUSDT']);
    expect(conns.find((c) => c.market === 'spot')?.subscriptions).toEqual([]);
    expect(new Set(conns.map((c) => c.connId)).size).toBe(2);
  });

  it('an unknown topic fails the whole request with "handler not found", naming it', async () => {
    const linear = await connect('linear');
    const ack = await linear.op('subscribe', ['tickers.BTCUSDT', 'tickers.NOPEUSDT', 'orderbook.7.BTCUSDT']);
    expect(ack).toEqual({
      success: false,
      ret_msg: 'error:handler not found,topic:tickers.NOPEUSDT',
      conn_id: expect.any(String),
      req_id: 't1',
      op: 'subscribe',
    });
    expect(testbed.exchange.connections()[0]?.subscriptions).toEqual([]);
    expect((await linear.op('subscribe', ['order'])).ret_msg).toBe('error:handler not found,topic:order');
    expect(testbed.exchange.counters.subscribeFailures).toBe(2);
  });

  it('a topic already held fails with "already subscribed"', async () => {
    const linear = await connect('linear');
    await linear.subscribe(['publicTrade.BTCUSDT']);
    expect((await linear.op('subscribe', ['tickers.ETHUSDT', 'publicTrade.BTCUSDT'])).ret_msg).toBe(
      'error:already subscribed,topic:publicTrade.BTCUSDT',
    );
    expect((await linear.op('subscribe', ['tickers.ETHUSDT', 'tickers.ETHUSDT'])).ret_msg).toBe(
      'error:already subscribed,topic:tickers.ETHUSDT',
    );
    expect(testbed.exchange.connections()[0]?.subscriptions).toEqual(['publicTrade.BTCUSDT']);
  });

  it('spot takes at most 10 args per request; linear takes more', async () => {
    await testbed.restart({ feedIntervalMs: 0, symbols: { spot: symbols(11), linear: symbols(11) } });
    const spot = await connect('spot');
    const linear = await connect('linear');
    const topics = symbols(11).map((s) => `tickers.${s}`);
    expect(await spot.op('subscribe', topics)).toMatchObject({ success: false, ret_msg: 'error:args size >10,code:10001' });
    await expect(spot.subscribe(topics.slice(0, 10))).resolves.toMatchObject({ success: true });
    await expect(linear.subscribe(topics)).resolves.toMatchObject({ success: true });
  });

  it('a public connection holds at most argsCharsPerConnection characters of topics', async () => {
    await testbed.restart({ feedIntervalMs: 0, argsCharsPerConnection: 40 });
    const linear = await connect('linear');
    await linear.subscribe(['tickers.BTCUSDT', 'tickers.ETHUSDT']); // 30 characters
    expect(await linear.op('subscribe', ['publicTrade.BTCUSDT'])).toMatchObject({
      success: false,
      ret_msg: 'error:args length >40,code:10001',
    });
    expect(testbed.exchange.connections()[0]?.argsChars).toBe(30);
    await linear.unsubscribe(['tickers.ETHUSDT']);
    await expect(linear.subscribe(['publicTrade.BTCUSDT'])).resolves.toMatchObject({ success: true });
    expect(testbed.exchange.connections()[0]?.argsChars).toBe(34);
  });

  it('the default budget is Bybit’s 21,000 characters', async () => {
    const short = Array.from({ length: 1500 }, (_, i) => `A${String(i).padStart(4, '0')}Z`);
    await testbed.restart({ feedIntervalMs: 0, symbols: { spot: ['BTCUSDT'], linear: short } });
    const linear = await connect('linear');
    const topics = short.map((s) => `tickers.${s}`); // 1500 × 14 = 21,000
    await expect(linear.subscribe(topics)).resolves.toMatchObject({ success: true });
    await linear.unsubscribe([topics[0] ?? '']);
    await expect(linear.subscribe(['publicTrade.A0001Z'])).rejects.toThrow(/args length >21000/);
    await expect(linear.subscribe(['tickers.A0000Z'])).resolves.toMatchObject({ success: true });
  });

  it('unknown ops, unreadable and binary frames get an error ack; the connection lives on', async () => {
    const linear = await connect('linear');
    expect(await linear.op('dance')).toMatchObject({ success: false, ret_msg: 'error:invalid op', op: 'dance' });
    expect(await linear.op('auth', ['k', 1, 's'])).toMatchObject({ success: false, ret_msg: 'error:invalid op' });
    linear.sendRaw('{"op":"subscribe","args":');
    linear.sendRaw(Buffer.from([1, 2, 3]));
    linear.sendJson({ op: 'subscribe', args: 'tickers.BTCUSDT', req_id: 'x' });
    linear.sendJson({ req_id: 'y', op: 'subscribe', args: [1, 2] });
    await linear.waitForMessage((m) => (m as { req_id?: string }).req_id === 'y');
    const errors = linear.messages.filter((m) => (m as { success?: boolean }).success === false);
    expect(errors).toHaveLength(6);
    expect(errors[2]).toMatchObject({ ret_msg: 'error:request is not JSON,code:10001', req_id: '', op: '' });
    expect(errors[4]).toMatchObject({ req_id: 'x', op: 'subscribe' });
    expect(errors[5]).toMatchObject({ req_id: 'y', ret_msg: 'Params Error' });
    expect(testbed.exchange.counters.malformedIn).toBe(3);
    await expect(linear.ping()).resolves.toMatchObject({ ret_msg: 'pong' });
  });

  it('logs ops in order without their args', async () => {
    const priv = await connect('private');
    await priv.auth();
    await priv.subscribe(['order']);
    await priv.ping();
    expect(testbed.exchange.opLog.map((e) => e.op)).toEqual(['auth', 'subscribe', 'ping']);
    expect(JSON.stringify(testbed.exchange.opLog)).not.toContain('test-secret');
  });
});

function symbols(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `S${String(i).padStart(4, '0')}USDT`);
}

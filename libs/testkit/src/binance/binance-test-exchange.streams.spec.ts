import { useVenueTestbed } from '../spec-support/venue-testbed.js';
import type { BinanceTestExchangeOptions } from './binance-options.js';
import { BinanceStreamClient } from './binance-test-clients.js';
import { BinanceTestExchange } from './binance-test-exchange.js';

describe('BinanceTestExchange market streams', () => {
  const testbed = useVenueTestbed(
    (o: BinanceTestExchangeOptions) => BinanceTestExchange.start(o),
    (): BinanceTestExchangeOptions => ({ feedIntervalMs: 0, incomingMessageLimit: false }),
  );
  const connect = async (url: string): Promise<BinanceStreamClient> => testbed.track(await BinanceStreamClient.connect(url));

  it('serves its paths on one port and refuses others with 404', async () => {
    const { urls, port } = testbed.exchange;
    expect(urls).toEqual({
      spotStream: `ws://127.0.0.1:${port}/ws`,
      spotCombined: `ws://127.0.0.1:${port}/stream`,
      wsApi: `ws://127.0.0.1:${port}/ws-api/v3`,
      rest: `http://127.0.0.1:${port}`,
      usdmPublic: `ws://127.0.0.1:${port}/public`,
      usdmMarket: `ws://127.0.0.1:${port}/market`,
      usdmPrivate: `ws://127.0.0.1:${port}/private`,
    });
    // `/private/ws` needs a live listenKey (400 without one); other `/private` paths do not exist.
    await expect(BinanceStreamClient.connect(`ws://127.0.0.1:${port}/private/ws`)).rejects.toMatchObject({ status: 400 });
    await expect(BinanceStreamClient.connect(`ws://127.0.0.1:${port}/private/stream`)).rejects.toMatchObject({ status: 404 });
    await expect(BinanceStreamClient.connect(`ws://127.0.0.1:${port}/stream/x`)).rejects.toMatchObject({ status: 404 });
  });

  it('a raw stream named in the URL delivers bare payloads', async () => {
    const client = await connect(`${testbed.exchange.urls.spotStream}/btcusdt@trade`);
    expect(testbed.exchange.counters).toMatchObject({ subscribeCalls: 0, subscribedStreams: 1 });
    expect(testbed.exchange.publish('spot', 'btcusdt@trade', 2)).toBe(1);
    const [trade] = await client.waitForEvents(2);
    expect(trade).toEqual({
      e: 'trade',
      E: expect.any(Number),
      s: 'BTCUSDT',
      t: expect.any(Number),
      p: expect.stringMatching(/^\d+\.\d{8}$/),
      q: expect.stringMatching(/^\d+\.\d{8}$/),
      T: expect.any(Number),
      m: expect.any(Boolean),
      M: true,
    });
  });

  it('combined streams wrap every event as {stream, data}', async () => {
    const client = await connect(`${testbed.exchange.urls.spotCombined}?streams=btcusdt@bookTicker/ethusdt@ticker`);
    testbed.exchange.publish('spot', 'btcusdt@bookTicker');
    testbed.exchange.publish('spot', 'ethusdt@ticker');
    await client.waitForEvents(2);
    expect(client.messages[0]).toEqual({
      stream: 'btcusdt@bookTicker',
      data: {
        u: expect.any(Number),
        s: 'BTCUSDT',
        b: expect.any(String),
        B: expect.any(String),
        a: expect.any(String),
        A: expect.any(String),
      },
    });
    expect(client.events({ stream: 'ethusdt@ticker' })[0]).toMatchObject({
      e: '24hrTicker',
      s: 'ETHUSDT',
      c: expect.any(String),
      n: expect.any(Number),
    });
  });

  it('SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS answer {result, id}; ids may be integers, strings or null', async () => {
    const client = await connect(testbed.exchange.urls.spotStream);
    expect(await client.request('SUBSCRIBE', ['btcusdt@trade', 'btcusdt@depth'])).toEqual({ result: null, id: 1 });
    expect(await client.request('LIST_SUBSCRIPTIONS')).toEqual({ result: ['btcusdt@trade', 'btcusdt@depth'], id: 2 });
    client.sendJson({ method: 'UNSUBSCRIBE', params: ['btcusdt@depth'], id: 'abc-123' });
    expect(await client.waitForMessage((m) => (m as { id?: unknown }).id === 'abc-123')).toEqual({ result: null, id: 'abc-123' });
    client.sendJson({ method: 'LIST_SUBSCRIPTIONS', id: null });
    expect(await client.waitForMessage((m) => (m as { id?: unknown }).id === null)).toEqual({
      result: ['btcusdt@trade'],
      id: null,
    });
    expect(testbed.exchange.publish('spot', 'btcusdt@depth')).toBe(0);
    expect(testbed.exchange.counters).toMatchObject({ subscribeCalls: 1, unsubscribeCalls: 1, subscribedStreams: 2 });
  });

  it('SET_PROPERTY combined switches the framing; GET_PROPERTY reads it', async () => {
    const client = await connect(`${testbed.exchange.urls.spotStream}/ethusdt@trade`);
    expect(await client.call('GET_PROPERTY', ['combined'])).toBe(false);
    await client.call('SET_PROPERTY', ['combined', true]);
    expect(await client.call('GET_PROPERTY', ['combined'])).toBe(true);
    testbed.exchange.publish('spot', 'ethusdt@trade');
    await client.waitForEvents(1, { stream: 'ethusdt@trade' });
  });

  it.each([
    ['unparsable JSON', '{"method":', null, 3, /^Invalid JSON/],
    ['missing method', JSON.stringify({ id: 4 }), 4, 2, /missing field `method`/],
    ['unknown method', JSON.stringify({ method: 'SUBSCRIBE_ALL', id: 5 }), 5, 2, /unknown variant `SUBSCRIBE_ALL`/],
    ['bad id', JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: { x: 1 } }), null, 2, /request ID must be an unsigned integer/],
    ['unknown stream', JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@kline_1m'], id: 6 }), 6, 2, /invalid stream/],
    ['upper-case stream', JSON.stringify({ method: 'SUBSCRIBE', params: ['BTCUSDT@trade'], id: 7 }), 7, 2, /invalid stream/],
    ['unknown property', JSON.stringify({ method: 'SET_PROPERTY', params: ['speed', true], id: 8 }), 8, 0, /Unknown property/],
    [
      'property not boolean',
      JSON.stringify({ method: 'SET_PROPERTY', params: ['combined', 'yes'], id: 9 }),
      9,
      1,
      /expected Boolean/,
    ],
  ])('%s → {"error": {code, msg}}, connection kept', async (_name, frame, id, code, msg) => {
    const client = await connect(testbed.exchange.urls.spotStream);
    client.sendRaw(frame);
    const answer = (await client.waitForMessage((m) => typeof m === 'object' && m !== null && 'error' in m)) as Record<
      string,
      unknown
    >;
    expect(answer).toEqual({ error: { code, msg: expect.stringMatching(msg) }, id });
    await expect(client.call('LIST_SUBSCRIPTIONS')).resolves.toEqual([]);
  });

  it('a connection holds at most maxStreamsPerConnection streams (1024 by default)', async () => {
    await testbed.restart({ feedIntervalMs: 0, incomingMessageLimit: false, maxStreamsPerConnection: { spot: 3 } });
    const client = await connect(testbed.exchange.urls.spotStream);
    await client.subscribe(['btcusdt@trade', 'ethusdt@trade']);
    expect((await client.request('SUBSCRIBE', ['btcusdt@depth', 'ethusdt@depth'])).error).toEqual({
      code: 2,
      msg: expect.stringMatching(/at most 3/),
    });
    await client.subscribe(['btcusdt@depth', 'btcusdt@trade']);
    expect(await client.call('LIST_SUBSCRIPTIONS')).toHaveLength(3);
    await expect(
      BinanceStreamClient.connect(
        `${testbed.exchange.urls.spotCombined}?streams=btcusdt@trade/ethusdt@trade/btcusdt@depth/ethusdt@depth`,
      ),
    ).rejects.toMatchObject({ status: 400 });
    const defaults = await BinanceTestExchange.start({
      feedIntervalMs: 0,
      incomingMessageLimit: false,
      symbols: { spot: symbols(1025) },
    });
    try {
      const many = testbed.track(await BinanceStreamClient.connect(defaults.urls.spotStream));
      await many.subscribe(symbols(1024).map((s) => `${s.toLowerCase()}@trade`));
      expect((await many.request('SUBSCRIBE', ['a1024usdt@trade'])).error?.msg).toMatch(/at most 1024/);
    } finally {
      await defaults.stop();
    }
  });

  it('a URL naming an unknown stream is refused with 400', async () => {
    await expect(BinanceStreamClient.connect(`${testbed.exchange.urls.spotStream}/dogeusdt@trade`)).rejects.toMatchObject({
      status: 400,
    });
  });

  it('USDⓈ-M: /public delivers depth, bookTicker and trade; /market delivers aggTrade and markPrice', async () => {
    const pub = await connect(`${testbed.exchange.urls.usdmPublic}/ws/btcusdt@bookTicker`);
    const market = await connect(`${testbed.exchange.urls.usdmMarket}/stream?streams=btcusdt@markPrice@1s/ethusdt@aggTrade`);
    testbed.exchange.publish('usdm', 'btcusdt@bookTicker');
    testbed.exchange.publish('usdm', 'btcusdt@markPrice@1s');
    testbed.exchange.publish('usdm', 'ethusdt@aggTrade');
    const [ticker] = await pub.waitForEvents(1);
    expect(ticker).toEqual({
      e: 'bookTicker',
      u: expect.any(Number),
      E: expect.any(Number),
      T: expect.any(Number),
      s: 'BTCUSDT',
      b: expect.stringMatching(/^\d+\.\d$/),
      B: expect.any(String),
      a: expect.any(String),
      A: expect.any(String),
    });
    await market.waitForEvents(2);
    expect(market.events({ stream: 'btcusdt@markPrice@1s' })[0]).toMatchObject({
      e: 'markPriceUpdate',
      s: 'BTCUSDT',
      p: expect.any(String),
      r: expect.any(String),
      T: expect.any(Number),
    });
    expect(market.events({ stream: 'ethusdt@aggTrade' })[0]).toMatchObject({
      e: 'aggTrade',
      a: expect.any(Number),
      f: expect.any(Number),
      l: expect.any(Number),
    });
  });

  it('USDⓈ-M: a stream on the wrong routed path is accepted and listed, but never delivered (as documented)', async () => {
    const pub = await connect(`${testbed.exchange.urls.usdmPublic}/ws`);
    expect(await pub.request('SUBSCRIBE', ['btcusdt@markPrice', 'btcusdt@depth'])).toEqual({ result: null, id: 1 });
    expect(await pub.call('LIST_SUBSCRIPTIONS')).toEqual(['btcusdt@depth', 'btcusdt@markPrice']);
    expect(testbed.exchange.publish('usdm', 'btcusdt@markPrice')).toBe(0);
    expect(testbed.exchange.counters.misroutedStreams).toBe(1);
    await pub.unsubscribe(['btcusdt@markPrice']);
    expect(await pub.call('LIST_SUBSCRIPTIONS')).toEqual(['btcusdt@depth']);
  });

  it('publishes on its own every feedIntervalMs', async () => {
    await testbed.restart({ feedIntervalMs: 10, incomingMessageLimit: false });
    const client = await connect(`${testbed.exchange.urls.spotStream}/ethusdt@trade`);
    await client.waitForEvents(3);
  });
});

function symbols(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `A${i}USDT`);
}

import { useVenueTestbed } from '../spec-support/venue-testbed.js';
import type { BybitTestExchangeOptions } from './bybit-options.js';
import { BybitTestClient, type BybitTopicMessage } from './bybit-test-client.js';
import { BybitTestExchange } from './bybit-test-exchange.js';
import type { BybitMarket } from './bybit-topics.js';

interface BookData {
  s: string;
  b: Array<[string, string]>;
  a: Array<[string, string]>;
  u: number;
  seq: number;
}

const book = (message: BybitTopicMessage | undefined): BookData => message?.data as BookData;

describe('BybitTestExchange feeds', () => {
  const testbed = useVenueTestbed(
    (o: BybitTestExchangeOptions) => BybitTestExchange.start(o),
    (): BybitTestExchangeOptions => ({ feedIntervalMs: 0, level1ResnapshotMs: 0 }),
  );
  const connect = async (market: BybitMarket): Promise<BybitTestClient> =>
    testbed.track(await BybitTestClient.connect(testbed.exchange.url(market)));

  it('orderbook: the ack, then a snapshot, then deltas whose u grows by one and seq grows', async () => {
    const client = await connect('linear');
    await client.subscribe(['orderbook.50.BTCUSDT']);
    const [snapshot] = await client.waitForTopicMessages('orderbook.50.BTCUSDT', 1);
    const ackIndex = client.messages.findIndex((m) => (m as { op?: string }).op === 'subscribe');
    expect(client.messages.indexOf(snapshot)).toBeGreaterThan(ackIndex);
    expect(snapshot).toEqual({
      topic: 'orderbook.50.BTCUSDT',
      type: 'snapshot',
      ts: expect.any(Number),
      data: { s: 'BTCUSDT', b: expect.any(Array), a: expect.any(Array), u: expect.any(Number), seq: expect.any(Number) },
      cts: expect.any(Number),
    });
    expect(Object.keys(snapshot ?? {})).toEqual(['topic', 'type', 'ts', 'data', 'cts']);
    const bids = book(snapshot).b.map(([price]) => Number(price));
    expect(bids).toEqual([...bids].sort((x, y) => y - x));
    const asks = book(snapshot).a.map(([price]) => Number(price));
    expect(asks).toEqual([...asks].sort((x, y) => x - y));
    expect(book(snapshot).b[0]?.[0]).toMatch(/^\d+\.\d$/);
    testbed.exchange.publish('linear', 'orderbook.50.BTCUSDT', 5);
    const messages = await client.waitForTopicMessages('orderbook.50.BTCUSDT', 6);
    const deltas = messages.slice(1);
    expect(deltas.every((m) => m.type === 'delta')).toBe(true);
    deltas.forEach((m, i) => {
      const previous = book(messages[i]);
      expect(book(m).u).toBe(previous.u + 1);
      expect(book(m).seq).toBeGreaterThan(previous.seq);
    });
    const sizes = deltas.flatMap((m) => [...book(m).b, ...book(m).a].map(([, size]) => size));
    expect(sizes.every((size) => size === '0' || /^\d+\.\d{3}$/.test(size))).toBe(true);
  });

  it('deltas applied to the snapshot give the book a late subscriber’s snapshot shows', async () => {
    const early = await connect('spot');
    await early.subscribe(['orderbook.200.ETHUSDT']);
    testbed.exchange.publish('spot', 'orderbook.200.ETHUSDT', 20);
    const messages = await early.waitForTopicMessages('orderbook.200.ETHUSDT', 21);
    const local = { b: new Map<string, string>(), a: new Map<string, string>() };
    for (const m of messages) {
      if (m.type === 'snapshot') {
        local.b.clear();
        local.a.clear();
      }
      for (const side of ['b', 'a'] as const) {
        for (const [price, size] of book(m)[side]) {
          if (size === '0') local[side].delete(price);
          else local[side].set(price, size);
        }
      }
    }
    const late = await connect('spot');
    await late.subscribe(['orderbook.200.ETHUSDT']);
    const [snapshot] = await late.waitForTopicMessages('orderbook.200.ETHUSDT', 1);
    expect(book(snapshot).u).toBe(book(messages.at(-1)).u);
    expect(new Map(book(snapshot).b)).toEqual(local.b);
    expect(new Map(book(snapshot).a)).toEqual(local.a);
    // Spot puts ts before type (docs note on field order).
    expect(Object.keys(snapshot ?? {})).toEqual(['topic', 'ts', 'type', 'data', 'cts']);
  });

  it('level-1 books send snapshots only, one level a side', async () => {
    const client = await connect('linear');
    await client.subscribe(['orderbook.1.BTCUSDT']);
    testbed.exchange.publish('linear', 'orderbook.1.BTCUSDT', 3);
    const messages = await client.waitForTopicMessages('orderbook.1.BTCUSDT', 4);
    expect(messages.every((m) => m.type === 'snapshot' && book(m).b.length === 1 && book(m).a.length === 1)).toBe(true);
  });

  it('a level-1 book without a change re-sends its snapshot with the same u', async () => {
    await testbed.restart({ feedIntervalMs: 0, level1ResnapshotMs: 60 });
    const client = await connect('spot');
    await client.subscribe(['orderbook.1.BTCUSDT']);
    const messages = await client.waitForTopicMessages('orderbook.1.BTCUSDT', 3);
    expect(messages.map((m) => book(m).u)).toEqual([book(messages[0]).u, book(messages[0]).u, book(messages[0]).u]);
    expect(messages[2]?.data).toEqual({ ...book(messages[0]), seq: book(messages[0]).seq });
  });

  it('injectBookRestart: the next message is a snapshot with u = 1, then deltas go on from it', async () => {
    const client = await connect('linear');
    await client.subscribe(['orderbook.50.ETHUSDT']);
    testbed.exchange.publish('linear', 'orderbook.50.ETHUSDT', 2);
    testbed.exchange.injectBookRestart('linear', 'orderbook.50.ETHUSDT');
    testbed.exchange.publish('linear', 'orderbook.50.ETHUSDT', 2);
    const messages = await client.waitForTopicMessages('orderbook.50.ETHUSDT', 5);
    expect(messages.map((m) => m.type)).toEqual(['snapshot', 'delta', 'delta', 'snapshot', 'delta']);
    expect(book(messages[3]).u).toBe(1);
    expect(book(messages[4]).u).toBe(2);
  });

  it('injectBookGap: the next delta skips one u', async () => {
    const client = await connect('linear');
    await client.subscribe(['orderbook.50.BTCUSDT']);
    testbed.exchange.injectBookGap('linear', 'orderbook.50.BTCUSDT');
    testbed.exchange.publish('linear', 'orderbook.50.BTCUSDT', 2);
    const [snapshot, gapped, after] = await client.waitForTopicMessages('orderbook.50.BTCUSDT', 3);
    expect(book(gapped).u).toBe(book(snapshot).u + 2);
    expect(book(after).u).toBe(book(gapped).u + 1);
    expect(() => testbed.exchange.injectBookGap('linear', 'tickers.BTCUSDT')).toThrow(RangeError);
  });

  it('linear tickers: a snapshot on subscribe, then deltas with only the fields that changed', async () => {
    const client = await connect('linear');
    await client.subscribe(['tickers.BTCUSDT']);
    testbed.exchange.publish('linear', 'tickers.BTCUSDT', 3);
    const [snapshot, ...deltas] = await client.waitForTopicMessages('tickers.BTCUSDT', 4);
    expect(snapshot).toMatchObject({ type: 'snapshot', cs: expect.any(Number), ts: expect.any(Number) });
    const fields = snapshot?.data as Record<string, string>;
    for (const key of [
      'symbol',
      'lastPrice',
      'markPrice',
      'indexPrice',
      'bid1Price',
      'ask1Size',
      'fundingRate',
      'nextFundingTime',
      'openInterest',
    ]) {
      expect(fields[key]).toEqual(expect.any(String));
    }
    const merged = { ...fields };
    for (const delta of deltas) {
      expect(delta.type).toBe('delta');
      const changed = delta.data as Record<string, string>;
      expect(changed.symbol).toBe('BTCUSDT');
      expect(Object.keys(changed).length).toBeLessThan(Object.keys(fields).length);
      Object.assign(merged, changed);
    }
    const late = await connect('linear');
    await late.subscribe(['tickers.BTCUSDT']);
    const [lateSnapshot] = await late.waitForTopicMessages('tickers.BTCUSDT', 1);
    expect(lateSnapshot?.data).toEqual(merged);
  });

  it('spot tickers are snapshots only, with the spot fields', async () => {
    const client = await connect('spot');
    await client.subscribe(['tickers.ETHUSDT']);
    testbed.exchange.publish('spot', 'tickers.ETHUSDT', 2);
    const messages = await client.waitForTopicMessages('tickers.ETHUSDT', 2);
    expect(messages[0]).toEqual({
      topic: 'tickers.ETHUSDT',
      ts: expect.any(Number),
      type: 'snapshot',
      cs: expect.any(Number),
      data: expect.any(Object),
    });
    expect(Object.keys(messages[1]?.data as object).sort()).toEqual([
      'highPrice24h',
      'lastPrice',
      'lowPrice24h',
      'prevPrice24h',
      'price24hPcnt',
      'symbol',
      'turnover24h',
      'usdIndexPrice',
      'volume24h',
    ]);
  });

  it('publicTrade: 1–3 trades per message; L (tick direction) only on linear', async () => {
    const spot = await connect('spot');
    const linear = await connect('linear');
    await spot.subscribe(['publicTrade.BTCUSDT']);
    await linear.subscribe(['publicTrade.BTCUSDT']);
    testbed.exchange.publish('spot', 'publicTrade.BTCUSDT');
    testbed.exchange.publish('linear', 'publicTrade.BTCUSDT');
    const [spotTrades] = await spot.waitForTopicMessages('publicTrade.BTCUSDT', 1);
    const [linearTrades] = await linear.waitForTopicMessages('publicTrade.BTCUSDT', 1);
    const trade = (linearTrades?.data as Array<Record<string, unknown>>)[0];
    expect(trade).toEqual({
      T: expect.any(Number),
      s: 'BTCUSDT',
      S: expect.stringMatching(/^(Buy|Sell)$/),
      v: expect.any(String),
      p: expect.any(String),
      L: expect.stringMatching(/Tick$/),
      i: expect.stringMatching(/^[0-9a-f-]{36}$/),
      BT: false,
      RPI: false,
      seq: expect.any(Number),
    });
    expect((spotTrades?.data as Array<Record<string, unknown>>).every((t) => !('L' in t))).toBe(true);
  });

  it('the same seed gives the same data; spot and linear books are separate markets', async () => {
    const other = await BybitTestExchange.start({ feedIntervalMs: 0, level1ResnapshotMs: 0 });
    try {
      const a = await connect('linear');
      const b = testbed.track(await BybitTestClient.connect(other.url('linear')));
      const spot = await connect('spot');
      for (const client of [a, b]) await client.subscribe(['orderbook.50.BTCUSDT', 'tickers.BTCUSDT']);
      await spot.subscribe(['orderbook.50.BTCUSDT']);
      for (const exchange of [testbed.exchange, other]) exchange.publish('linear', 'orderbook.50.BTCUSDT', 3);
      const strip = (ms: BybitTopicMessage[]): unknown[] => ms.map((m) => m.data);
      expect(strip(await a.waitForTopicMessages('orderbook.50.BTCUSDT', 4))).toEqual(
        strip(await b.waitForTopicMessages('orderbook.50.BTCUSDT', 4)),
      );
      const [spotBook] = await spot.waitForTopicMessages('orderbook.50.BTCUSDT', 1);
      expect(book(spotBook).u).not.toBe(book(a.topicMessages('orderbook.50.BTCUSDT')[0]).u);
    } finally {
      await other.stop();
    }
  });

  it('publishes on its own every feedIntervalMs', async () => {
    await testbed.restart({ feedIntervalMs: 10, level1ResnapshotMs: 0 });
    const client = await connect('linear');
    await client.subscribe(['publicTrade.ETHUSDT']);
    await client.waitForTopicMessages('publicTrade.ETHUSDT', 3);
    await client.unsubscribe(['publicTrade.ETHUSDT']);
  });
});

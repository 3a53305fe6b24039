import { useExchangeTestbed } from '../../../../test/support/exchange-testbed.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { TestExchange } from './test-exchange.js';
import { RpcTestClient } from './rpc-test-client.js';

type Book = { type: string; change_id: number; prev_change_id?: number; bids: unknown[][]; asks: unknown[][] };

describe('TestExchange subscriptions and feeds', () => {
  const testbed = useExchangeTestbed(() => ({ feedIntervalMs: 0, seed: 42 }));
  const { connect } = testbed;

  it('subscribe returns the subscribed channels; unknown names are left out', async () => {
    const client = await connect();
    const result = await client.call('public/subscribe', {
      channels: [
        'ticker.BTC-PERPETUAL.100ms',
        'ticker.NOPE-PERPETUAL.100ms',
        'bogus',
        'trades.ETH-PERPETUAL.100ms',
        'ticker.BTC-PERPETUAL.100ms',
      ],
    });
    expect(result).toEqual(['ticker.BTC-PERPETUAL.100ms', 'trades.ETH-PERPETUAL.100ms']);
    expect(testbed.exchange.connections()[0]?.subscriptions).toEqual([
      'ticker.BTC-PERPETUAL.100ms',
      'trades.ETH-PERPETUAL.100ms',
    ]);
    expect(testbed.exchange.counters).toMatchObject({ subscribeCalls: 1, subscribedChannels: 2 });
    // Subscribing again reports the channel but does not count it twice.
    expect(await client.call('public/subscribe', { channels: ['ticker.BTC-PERPETUAL.100ms'] })).toEqual([
      'ticker.BTC-PERPETUAL.100ms',
    ]);
    expect(testbed.exchange.counters.subscribedChannels).toBe(2);
  });

  it('unsubscribe returns the removed channels; unsubscribe_all returns "ok"', async () => {
    const client = await connect();
    await client.call('public/subscribe', { channels: ['ticker.BTC-PERPETUAL.100ms', 'trades.BTC-PERPETUAL.100ms'] });
    expect(
      await client.call('public/unsubscribe', { channels: ['ticker.BTC-PERPETUAL.100ms', 'ticker.ETH-PERPETUAL.100ms'] }),
    ).toEqual(['ticker.BTC-PERPETUAL.100ms']);
    expect(await client.call('public/unsubscribe_all')).toBe('ok');
    expect(testbed.exchange.connections()[0]?.subscriptions).toEqual([]);
    expect(testbed.exchange.publish('trades.BTC-PERPETUAL.100ms')).toBe(0);
    expect(testbed.exchange.counters.unsubscribeCalls).toBe(2);
  });

  it('private channels: public/subscribe refuses them, private/subscribe needs a token', async () => {
    const client = await connect();
    const viaPublic = await client.request('public/subscribe', { channels: ['user.orders.BTC-PERPETUAL.raw'] });
    expect(viaPublic.error).toMatchObject({ code: 13021, message: 'forbidden' });
    const unauthenticated = await client.request('private/subscribe', { channels: ['user.portfolio.btc'] });
    expect(unauthenticated.error?.code).toBe(13009);
    await client.auth();
    expect(
      await client.call('private/subscribe', {
        channels: [
          'user.orders.BTC-PERPETUAL.raw',
          'user.portfolio.btc',
          'user.trades.ETH-PERPETUAL.100ms',
          'ticker.BTC-PERPETUAL.100ms',
        ],
      }),
    ).toEqual([
      'user.orders.BTC-PERPETUAL.raw',
      'user.portfolio.btc',
      'user.trades.ETH-PERPETUAL.100ms',
      'ticker.BTC-PERPETUAL.100ms',
    ]);
    expect(await client.call('private/unsubscribe', { channels: ['user.portfolio.btc'] })).toEqual(['user.portfolio.btc']);
    expect(await client.call('private/unsubscribe_all')).toBe('ok');
  });

  it('raw channels need an authenticated session (13778)', async () => {
    const client = await connect();
    const response = await client.request('public/subscribe', { channels: ['ticker.BTC-PERPETUAL.raw'] });
    expect(response.error).toEqual({ code: 13778, message: 'raw_subscriptions_not_available_for_unauthorized' });
    await client.auth();
    expect(await client.call('public/subscribe', { channels: ['ticker.BTC-PERPETUAL.raw'] })).toEqual([
      'ticker.BTC-PERPETUAL.raw',
    ]);
  });

  it('ticker data carries every field the schema requires, funding for perpetuals', async () => {
    const client = await connect();
    await client.call('public/subscribe', { channels: ['ticker.BTC-PERPETUAL.100ms'] });
    expect(testbed.exchange.publish('ticker.BTC-PERPETUAL.100ms')).toBe(1);
    const [ticker] = (await client.waitForNotifications('ticker.BTC-PERPETUAL.100ms', 1)) as Array<Record<string, unknown>>;
    for (const field of [
      'instrument_name',
      'timestamp',
      'state',
      'stats',
      'open_interest',
      'index_price',
      'best_bid_price',
      'best_bid_amount',
      'best_ask_price',
      'best_ask_amount',
      'min_price',
      'max_price',
      'mark_price',
      'last_price',
      'estimated_delivery_price',
      'current_funding',
      'funding_8h',
      'interest_value',
      'settlement_price',
    ]) {
      expect(ticker).toHaveProperty(field);
    }
    expect(ticker).toMatchObject({
      instrument_name: 'BTC-PERPETUAL',
      state: 'open',
      stats: {
        volume: expect.any(Number),
        high: expect.any(Number),
        low: expect.any(Number),
        price_change: expect.any(Number),
        volume_usd: expect.any(Number),
      },
    });
    expect(ticker?.best_bid_price as number).toBeLessThan(ticker?.best_ask_price as number);
    expect(client.messages.at(-1)).toEqual({
      jsonrpc: '2.0',
      method: 'subscription',
      params: { channel: 'ticker.BTC-PERPETUAL.100ms', data: ticker },
    });
  });

  it('book: a snapshot per subscription, then changes chained by prev_change_id', async () => {
    const channel = 'book.BTC-PERPETUAL.100ms';
    const first = await connect();
    await first.call('public/subscribe', { channels: [channel] });
    testbed.exchange.publish(channel, 3);
    const second = await connect();
    await second.call('public/subscribe', { channels: [channel] });
    testbed.exchange.publish(channel, 2);
    const a = (await first.waitForNotifications(channel, 6)) as Book[];
    const b = (await second.waitForNotifications(channel, 3)) as Book[];
    expect(a[0]).toMatchObject({
      type: 'snapshot',
      instrument_name: 'BTC-PERPETUAL',
      change_id: expect.any(Number),
      timestamp: expect.any(Number),
    });
    expect(a[0]).not.toHaveProperty('prev_change_id');
    expect(a[0]?.bids.length).toBeGreaterThan(0);
    expect(a[0]?.bids[0]?.[0]).toBe('new');
    for (let i = 1; i < a.length; i += 1) {
      expect(a[i]?.type).toBe('change');
      expect(a[i]?.prev_change_id).toBe(a[i - 1]?.change_id);
    }
    expect(b[0]).toMatchObject({ type: 'snapshot', change_id: a[3]?.change_id });
    expect(b[1]?.prev_change_id).toBe(b[0]?.change_id);
    for (const entry of [...(a[1]?.bids ?? []), ...(a[1]?.asks ?? [])]) {
      expect(['new', 'change', 'delete']).toContain(entry[0]);
      expect(entry).toHaveLength(3);
    }
  });

  it('a delayed subscribe result holds the feed back: nothing before the result, then the snapshot first', async () => {
    const channel = 'book.BTC-PERPETUAL.100ms';
    const watcher = await connect();
    await watcher.call('public/subscribe', { channels: [channel] });
    const client = await connect();
    testbed.exchange.setResponseDelay(100);
    const result = client.call('public/subscribe', { channels: [channel] });
    await waitFor(() => testbed.exchange.connections()[1]?.subscriptions.length === 1, {
      message: 'second subscriber registered',
    });
    // The book moves on while the result is in flight; only the live watcher hears about it.
    expect(testbed.exchange.publish(channel, 3)).toBe(1);
    expect(client.messages).toEqual([]);
    await result;
    testbed.exchange.setResponseDelay(0);
    testbed.exchange.publish(channel);
    const book = (await client.waitForNotifications(channel, 2)) as Book[];
    const seen = (await watcher.waitForNotifications(channel, 5)) as Book[];
    expect(book[0]).toMatchObject({ type: 'snapshot', change_id: seen[3]?.change_id });
    expect(book[1]?.prev_change_id).toBe(book[0]?.change_id);
  });

  it('injectBookGap: the next change skips a change_id', async () => {
    const channel = 'book.ETH-PERPETUAL.100ms';
    const client = await connect();
    await client.call('public/subscribe', { channels: [channel] });
    testbed.exchange.publish(channel);
    testbed.exchange.injectBookGap(channel);
    testbed.exchange.publish(channel, 2);
    const book = (await client.waitForNotifications(channel, 4)) as Book[];
    expect(book[1]?.prev_change_id).toBe(book[0]?.change_id);
    expect(book[2]?.prev_change_id).not.toBe(book[1]?.change_id);
    expect(book[2]?.prev_change_id).toBe((book[1]?.change_id ?? 0) + 1);
    expect(book[3]?.prev_change_id).toBe(book[2]?.change_id);
    expect(() => testbed.exchange.injectBookGap('ticker.BTC-PERPETUAL.100ms')).toThrow(RangeError);
  });

  it('grouped book channels carry whole [price, amount] snapshots', async () => {
    const client = await connect();
    await client.call('public/subscribe', { channels: ['book.BTC-PERPETUAL.none.10.100ms'] });
    testbed.exchange.publish('book.BTC-PERPETUAL.none.10.100ms');
    const [book] = (await client.waitForNotifications('book.BTC-PERPETUAL.none.10.100ms', 1)) as Book[];
    expect(book?.bids.length).toBeLessThanOrEqual(10);
    expect(book?.bids[0]).toEqual([expect.any(Number), expect.any(Number)]);
    expect(book).toHaveProperty('change_id');
  });

  it('trades: an array of trades with the Deribit fields', async () => {
    const client = await connect();
    await client.call('public/subscribe', { channels: ['trades.BTC-PERPETUAL.100ms'] });
    testbed.exchange.publish('trades.BTC-PERPETUAL.100ms');
    const [trades] = (await client.waitForNotifications('trades.BTC-PERPETUAL.100ms', 1)) as Array<
      Array<Record<string, unknown>>
    >;
    expect(Array.isArray(trades)).toBe(true);
    expect(trades?.[0]).toEqual(
      expect.objectContaining({
        trade_seq: expect.any(Number),
        trade_id: expect.any(String),
        timestamp: expect.any(Number),
        price: expect.any(Number),
        amount: expect.any(Number),
        direction: expect.stringMatching(/^(buy|sell)$/),
        instrument_name: 'BTC-PERPETUAL',
        tick_direction: expect.any(Number),
        index_price: expect.any(Number),
        mark_price: expect.any(Number),
      }),
    );
  });

  it('user channels: orders (raw = one order, 100ms = array) and portfolio', async () => {
    const client = await connect();
    await client.auth();
    await client.call('private/subscribe', {
      channels: ['user.orders.BTC-PERPETUAL.raw', 'user.orders.BTC-PERPETUAL.100ms', 'user.portfolio.btc'],
    });
    testbed.exchange.publish('user.orders.BTC-PERPETUAL.raw');
    testbed.exchange.publish('user.orders.BTC-PERPETUAL.100ms');
    testbed.exchange.publish('user.portfolio.btc');
    const [order] = (await client.waitForNotifications('user.orders.BTC-PERPETUAL.raw', 1)) as Array<Record<string, unknown>>;
    expect(order).toMatchObject({
      order_id: expect.any(String),
      order_state: 'open',
      instrument_name: 'BTC-PERPETUAL',
      order_type: 'limit',
    });
    const [batch] = (await client.waitForNotifications('user.orders.BTC-PERPETUAL.100ms', 1)) as unknown[][];
    expect(Array.isArray(batch)).toBe(true);
    const [portfolio] = (await client.waitForNotifications('user.portfolio.btc', 1)) as Array<Record<string, unknown>>;
    expect(portfolio).toMatchObject({
      currency: 'BTC',
      equity: expect.any(Number),
      balance: expect.any(Number),
      available_funds: expect.any(Number),
    });
  });

  it('feedIntervalMs publishes on a timer while subscribed, and stops after unsubscribe', async () => {
    await testbed.restart({ feedIntervalMs: 10 });
    const client = await connect();
    await client.call('public/subscribe', { channels: ['ticker.ETH-PERPETUAL.agg2'] });
    await client.waitForNotifications('ticker.ETH-PERPETUAL.agg2', 3);
    await client.call('public/unsubscribe', { channels: ['ticker.ETH-PERPETUAL.agg2'] });
    const count = client.notifications('ticker.ETH-PERPETUAL.agg2').length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(client.notifications('ticker.ETH-PERPETUAL.agg2').length).toBe(count);
  });

  it('publish delivers to every subscriber and returns the recipient count', async () => {
    const [a, b] = [await connect(), await connect()];
    await a.call('public/subscribe', { channels: ['trades.ETH-PERPETUAL.100ms'] });
    await b.call('public/subscribe', { channels: ['trades.ETH-PERPETUAL.100ms'] });
    expect(testbed.exchange.publish('trades.ETH-PERPETUAL.100ms', 2)).toBe(2);
    const [fromA, fromB] = [
      await a.waitForNotifications('trades.ETH-PERPETUAL.100ms', 2),
      await b.waitForNotifications('trades.ETH-PERPETUAL.100ms', 2),
    ];
    expect(fromA).toEqual(fromB);
    expect(testbed.exchange.publish('trades.NOBODY.100ms')).toBe(0);
  });

  describe('determinism', () => {
    const channels = [
      'ticker.BTC-PERPETUAL.100ms',
      'book.BTC-PERPETUAL.100ms',
      'trades.ETH-PERPETUAL.100ms',
      'user.orders.BTC-PERPETUAL.raw',
    ];

    async function record(seed: number): Promise<unknown[]> {
      const fixed = await TestExchange.start({ feedIntervalMs: 0, seed, now: () => 1_700_000_000_000 });
      const client = await RpcTestClient.connect(fixed.url);
      try {
        await client.auth();
        await client.call('private/subscribe', { channels });
        for (const channel of channels) fixed.publish(channel, 5);
        return await Promise.all(
          channels.map((channel) => client.waitForNotifications(channel, channel.startsWith('book') ? 6 : 5)),
        );
      } finally {
        await client.close();
        await fixed.stop();
      }
    }

    it('the same seed gives the same data; another seed differs', async () => {
      const [one, two, other] = [await record(7), await record(7), await record(8)];
      expect(two).toEqual(one);
      expect(other).not.toEqual(one);
    });
  });
});

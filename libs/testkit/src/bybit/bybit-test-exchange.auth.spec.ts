import { createHmac } from 'node:crypto';
import { useVenueTestbed } from '../spec-support/venue-testbed.js';
import { bybitAuthArgs, signBybitAuth } from './bybit-auth.js';
import type { BybitTestExchangeOptions } from './bybit-options.js';
import { BybitTestClient } from './bybit-test-client.js';
import { BybitTestExchange } from './bybit-test-exchange.js';

describe('BybitTestExchange auth and private topics', () => {
  const clock = 1_700_000_000_000;
  const testbed = useVenueTestbed(
    (o: BybitTestExchangeOptions) => BybitTestExchange.start(o),
    (): BybitTestExchangeOptions => ({
      feedIntervalMs: 0,
      now: () => clock,
      accounts: [
        { apiKey: 'key-a', apiSecret: 'secret-a' },
        { apiKey: 'key-b', apiSecret: 'secret-b' },
        { apiKey: 'key-ip', apiSecret: 'secret-ip', allowedIps: ['10.1.2.3'] },
      ],
    }),
  );
  const connectPrivate = async (): Promise<BybitTestClient> =>
    testbed.track(await BybitTestClient.connect(testbed.exchange.url('private')));

  it('signs hex HMAC-SHA256 over "GET/realtime" + expires', () => {
    expect(signBybitAuth('s', 123)).toBe(createHmac('sha256', 's').update('GET/realtime123').digest('hex'));
    expect(bybitAuthArgs('k', 's', 123)).toEqual(['k', 123, signBybitAuth('s', 123)]);
  });

  it('auth succeeds with the private shape, and binds the socket to the account', async () => {
    const client = await connectPrivate();
    expect(await client.auth('key-a', 'secret-a', clock + 5000)).toEqual({
      req_id: 't1',
      success: true,
      ret_msg: '',
      op: 'auth',
      conn_id: expect.any(String),
    });
    expect(testbed.exchange.connections()[0]).toMatchObject({ authenticated: true, apiKey: 'key-a' });
    expect(testbed.exchange.counters.auth).toBe(1);
  });

  it('accepts expires as a numeric string, as older clients send it', async () => {
    const client = await connectPrivate();
    const expires = clock + 1000;
    await expect(client.call('auth', ['key-a', String(expires), signBybitAuth('secret-a', expires)])).resolves.toMatchObject({
      success: true,
    });
  });

  it.each([
    ['unknown key (10003)', ['nope', 1, 'x'], 'error:API key is invalid,code:10003'],
    ['wrong signature (10004)', ['key-a', 0, 'bad'], 'error:Error sign,code:10004'],
    ['malformed args', ['key-a'], 'Params Error'],
  ])('%s', async (_name, args, retMsg) => {
    const client = await connectPrivate();
    const [key, , sig] = args;
    const expires = clock + 1000;
    const sent = args.length === 3 ? [key, expires, sig] : args;
    expect(await client.op('auth', sent)).toMatchObject({ success: false, ret_msg: retMsg, op: 'auth' });
    expect(testbed.exchange.counters.authFailures).toBe(1);
    expect(testbed.exchange.connections()[0]?.authenticated).toBe(false);
  });

  it('a stale expires (signature right) is "Params Error", as the venue answers it', async () => {
    const client = await connectPrivate();
    expect(await client.op('auth', bybitAuthArgs('key-a', 'secret-a', clock))).toMatchObject({
      success: false,
      ret_msg: 'Params Error',
    });
    await expect(client.auth('key-a', 'secret-a', clock + 1)).resolves.toMatchObject({ success: true });
  });

  it('a key bound to other IPs gets 10010', async () => {
    const client = await connectPrivate();
    expect((await client.op('auth', bybitAuthArgs('key-ip', 'secret-ip', clock + 1000))).ret_msg).toBe(
      "error:Unmatched IP, please check your API key's bound IP addresses,code:10010",
    );
  });

  it('a second auth on the same socket is a repeat (20001)', async () => {
    const client = await connectPrivate();
    await client.auth('key-a', 'secret-a', clock + 1000);
    expect((await client.op('auth', bybitAuthArgs('key-b', 'secret-b', clock + 1000))).ret_msg).toBe(
      'error:Repeat auth,code:20001',
    );
    expect(testbed.exchange.connections()[0]?.apiKey).toBe('key-a');
  });

  it('setRejectAuth: true is an invalid key; a code rejects with that code; false ends it', async () => {
    const client = await connectPrivate();
    testbed.exchange.setRejectAuth(true);
    expect((await client.op('auth', bybitAuthArgs('key-a', 'secret-a', clock + 1000))).ret_msg).toBe(
      'error:API key is invalid,code:10003',
    );
    testbed.exchange.setRejectAuth(10005);
    expect((await client.op('auth', bybitAuthArgs('key-a', 'secret-a', clock + 1000))).ret_msg).toBe(
      'error:Permission denied, please check your API key permissions,code:10005',
    );
    testbed.exchange.setRejectAuth(false);
    await expect(client.auth('key-a', 'secret-a', clock + 1000)).resolves.toMatchObject({ success: true });
    expect(() => testbed.exchange.setRejectAuth(12345 as never)).toThrow(RangeError);
  });

  it('private topics need auth first', async () => {
    const client = await connectPrivate();
    expect(await client.op('subscribe', ['order'])).toMatchObject({ success: false, ret_msg: 'Request not authorized' });
    await client.auth('key-a', 'secret-a', clock + 1000);
    await expect(client.subscribe(['order', 'execution', 'position', 'wallet'])).resolves.toMatchObject({
      success: true,
      ret_msg: '',
    });
    expect(testbed.exchange.connections()[0]?.subscriptions).toEqual(['order', 'execution', 'position', 'wallet']);
  });

  it('all-in-one and categorised topics cannot share a request; public topics are not served here', async () => {
    const client = await connectPrivate();
    await client.auth('key-a', 'secret-a', clock + 1000);
    expect((await client.op('subscribe', ['order', 'order.linear'])).ret_msg).toMatch(/all-in-one and categorised/);
    await expect(client.subscribe(['order.linear', 'execution'])).resolves.toMatchObject({ success: true });
    expect((await client.op('subscribe', ['tickers.BTCUSDT'])).ret_msg).toBe('error:handler not found,topic:tickers.BTCUSDT');
    expect((await client.op('subscribe', ['position.spot'])).ret_msg).toBe('error:handler not found,topic:position.spot');
  });

  it('private streams are per account, and each message has the documented envelope', async () => {
    const a = await connectPrivate();
    const b = await connectPrivate();
    await a.auth('key-a', 'secret-a', clock + 1000);
    await b.auth('key-b', 'secret-b', clock + 1000);
    const topics = ['order', 'execution', 'position', 'wallet'];
    await a.subscribe(topics);
    await b.subscribe(topics);
    for (const topic of topics) expect(testbed.exchange.publish('private', topic, 2)).toBe(2);
    for (const topic of topics) {
      const [first, second] = await a.waitForTopicMessages(topic, 2);
      expect(first).toEqual({ id: expect.any(String), topic, creationTime: clock, data: [expect.any(Object)] });
      expect(second?.id).not.toBe(first?.id);
      const [other] = await b.waitForTopicMessages(topic, 1);
      expect(other?.data).not.toEqual(first?.data);
    }
    const [order] = a.topicMessages('order');
    expect((order?.data as Array<Record<string, unknown>>)[0]).toMatchObject({
      category: expect.stringMatching(/^(spot|linear)$/),
      orderId: expect.any(String),
      symbol: expect.stringMatching(/USDT$/),
      side: expect.stringMatching(/^(Buy|Sell)$/),
      orderStatus: 'New',
      price: expect.stringMatching(/^\d+\.\d+$/),
      qty: expect.any(String),
      createdTime: String(clock),
    });
    const [wallet] = a.topicMessages('wallet');
    expect((wallet?.data as Array<Record<string, unknown>>)[0]).toMatchObject({
      accountType: 'UNIFIED',
      coin: [expect.objectContaining({ coin: 'USDT' })],
    });
    const [position] = a.topicMessages('position');
    expect((position?.data as Array<Record<string, unknown>>)[0]).toMatchObject({
      category: 'linear',
      positionStatus: 'Normal',
      seq: expect.any(Number),
    });
    const [execution] = a.topicMessages('execution');
    expect((execution?.data as Array<Record<string, unknown>>)[0]).toMatchObject({
      execType: 'Trade',
      execId: expect.any(String),
      isMaker: expect.any(Boolean),
    });
  });

  it('a categorised topic only carries its category', async () => {
    const client = await connectPrivate();
    await client.auth('key-a', 'secret-a', clock + 1000);
    await client.subscribe(['order.spot']);
    testbed.exchange.publish('private', 'order.spot', 6);
    const messages = await client.waitForTopicMessages('order.spot', 6);
    const categories = new Set(messages.map((m) => (m.data as Array<{ category: string }>)[0]?.category));
    expect(categories).toEqual(new Set(['spot']));
  });
});

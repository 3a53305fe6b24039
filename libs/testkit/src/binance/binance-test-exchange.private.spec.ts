import { useVenueTestbed } from '../spec-support/venue-testbed.js';
import type { BinanceTestExchangeOptions } from './binance-options.js';
import { BinanceStreamClient } from './binance-test-clients.js';
import { BinanceTestExchange } from './binance-test-exchange.js';

type Verb = 'POST' | 'PUT' | 'DELETE';

describe('BinanceTestExchange USDⓈ-M user data (listenKey, /private)', () => {
  const testbed = useVenueTestbed(
    (o: BinanceTestExchangeOptions) => BinanceTestExchange.start(o),
    (): BinanceTestExchangeOptions => ({ feedIntervalMs: 0, incomingMessageLimit: false }),
  );

  const listenKeyCall = async (verb: Verb, apiKey?: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${testbed.exchange.urls.rest}/fapi/v1/listenKey`, {
      method: verb,
      headers: apiKey === undefined ? {} : { 'X-MBX-APIKEY': apiKey },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const newKey = async (apiKey = 'test-key'): Promise<string> => {
    const { status, body } = await listenKeyCall('POST', apiKey);
    expect(status).toBe(200);
    return body.listenKey as string;
  };
  const openPrivate = async (query: string): Promise<BinanceStreamClient> =>
    testbed.track(await BinanceStreamClient.connect(`${testbed.exchange.urls.usdmPrivate}/ws?${query}`));

  it('POST needs X-MBX-APIKEY of a known key; one active key per account, extended by POST and PUT', async () => {
    expect(await listenKeyCall('POST')).toEqual({ status: 401, body: { code: -2014, msg: 'API-key format invalid.' } });
    expect((await listenKeyCall('POST', 'nobody')).body.code).toBe(-2015);
    expect(await listenKeyCall('PUT', 'test-key')).toEqual({
      status: 400,
      body: { code: -1125, msg: 'This listenKey does not exist.' },
    });
    const key = await newKey();
    expect(key).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(await newKey()).toBe(key);
    expect(await listenKeyCall('PUT', 'test-key')).toEqual({ status: 200, body: { listenKey: key } });
    expect(testbed.exchange.counters).toMatchObject({
      listenKeysCreated: 1,
      listenKeysReturned: 1,
      listenKeyKeepAlives: 1,
      listenKeyErrors: 3,
    });
  });

  it('a socket opened with a live key gets its account’s raw events; an unknown key is refused (400)', async () => {
    await expect(BinanceStreamClient.connect(`${testbed.exchange.urls.usdmPrivate}/ws?listenKey=nope`)).rejects.toThrow(/400/);
    const key = await newKey();
    const query = await openPrivate(`listenKey=${key}`);
    const path = testbed.track(await BinanceStreamClient.connect(`${testbed.exchange.urls.usdmPrivate}/ws/${key}`));
    expect(testbed.exchange.publishFuturesUserData('test-key', 6)).toBe(2);
    const events = await query.waitForEvents(6);
    expect(await path.waitForEvents(6)).toEqual(events);
    for (const event of events) {
      expect(['ORDER_TRADE_UPDATE', 'ACCOUNT_UPDATE']).toContain(event.e);
      expect(typeof event.E).toBe('number');
    }
    const times = events.map((event) => event.E as number);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBe(times.length);
    // The connection lists the account, never the key.
    expect(JSON.stringify(testbed.exchange.connections())).not.toContain(key);
    expect(testbed.exchange.connections().map((c) => [c.route, c.apiKey])).toEqual([
      ['usdm-private', 'test-key'],
      ['usdm-private', 'test-key'],
    ]);
  });

  it('events= is an allow list, listenKeyExpired included', async () => {
    const key = await newKey();
    const orders = await openPrivate(`listenKey=${key}&events=ORDER_TRADE_UPDATE`);
    const everything = await openPrivate(`listenKey=${key}`);
    const withExpiry = await openPrivate(`listenKey=${key}&events=ACCOUNT_UPDATE/listenKeyExpired`);
    testbed.exchange.injectFuturesUserEvent('test-key', { e: 'ACCOUNT_UPDATE', E: 1, T: 1, a: { m: 'DEPOSIT', B: [], P: [] } });
    testbed.exchange.injectFuturesUserEvent('test-key', { e: 'ORDER_TRADE_UPDATE', E: 2, T: 2, o: {} });
    expect(testbed.exchange.expireListenKeys('test-key')).toBe(1);
    expect((await everything.waitForEvents(3)).map((event) => event.e)).toEqual([
      'ACCOUNT_UPDATE',
      'ORDER_TRADE_UPDATE',
      'listenKeyExpired',
    ]);
    expect((await withExpiry.waitForEvents(2)).map((event) => event.e)).toEqual(['ACCOUNT_UPDATE', 'listenKeyExpired']);
    expect((await orders.waitForEvents(1)).map((event) => event.e)).toEqual(['ORDER_TRADE_UPDATE']);
    // Nothing else follows on it: the expiry was sent to the other sockets, which have it already.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(orders.events().map((event) => event.e)).toEqual(['ORDER_TRADE_UPDATE']);
    const [expired] = everything.events({ type: 'listenKeyExpired' });
    expect(expired).toEqual({ e: 'listenKeyExpired', E: expect.any(String), listenKey: key });
    // Silent after the key's end, the socket still open.
    expect(testbed.exchange.publishFuturesUserData('test-key', 2)).toBe(0);
    expect(everything.isOpen).toBe(true);
    expect(await listenKeyCall('PUT', 'test-key')).toMatchObject({ status: 400, body: { code: -1125 } });
  });

  it('a key lapses listenKeyValidityMs after its last keepalive; DELETE ends it at once', async () => {
    await testbed.restart({ feedIntervalMs: 0, incomingMessageLimit: false, listenKeyValidityMs: 300 });
    const key = await newKey();
    const client = await openPrivate(`listenKey=${key}`);
    for (let i = 0; i < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await listenKeyCall('PUT', 'test-key')).status).toBe(200);
    }
    expect(client.events({ type: 'listenKeyExpired' })).toHaveLength(0);
    await client.waitForEvents(1, { type: 'listenKeyExpired' }, 2_000);
    expect(testbed.exchange.counters.listenKeysExpired).toBe(1);
    const next = await newKey();
    expect(next).not.toBe(key);
    const second = await openPrivate(`listenKey=${next}`);
    expect((await listenKeyCall('DELETE', 'test-key')).status).toBe(200);
    await second.waitForEvents(1, { type: 'listenKeyExpired' });
    expect(testbed.exchange.counters).toMatchObject({ listenKeysDeleted: 1, listenKeysCreated: 2, privateConnections: 2 });
  });

  it('revokeApiKey ends the key (listenKeyExpired) and refuses a new one (401 / -2015); REST faults apply', async () => {
    const key = await newKey();
    const client = await openPrivate(`listenKey=${key}`);
    testbed.exchange.revokeApiKey('test-key');
    await client.waitForEvents(1, { type: 'listenKeyExpired' });
    expect(await listenKeyCall('POST', 'test-key')).toEqual({
      status: 401,
      body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
    });
    testbed.exchange.restoreApiKey('test-key');
    testbed.exchange.setRestRejection(429);
    expect(await listenKeyCall('POST', 'test-key')).toMatchObject({ status: 429, body: { code: -1003 } });
    testbed.exchange.setRestRejection(null);
    testbed.exchange.setRejectAuth(true);
    expect((await listenKeyCall('POST', 'test-key')).status).toBe(401);
  });
});

import { createHmac, generateKeyPairSync } from 'node:crypto';
import { useVenueTestbed } from '../spec-support/venue-testbed.js';
import type { BinanceTestExchangeOptions } from './binance-options.js';
import { binanceSignaturePayload, signBinanceEd25519, signBinanceHmac } from './binance-signature.js';
import { BinanceApiClient } from './binance-test-clients.js';
import { BinanceTestExchange } from './binance-test-exchange.js';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');

describe('BinanceTestExchange WebSocket API (user data)', () => {
  let clock = 1_700_000_000_000;
  const testbed = useVenueTestbed(
    (o: BinanceTestExchangeOptions) => BinanceTestExchange.start(o),
    (): BinanceTestExchangeOptions => ({
      feedIntervalMs: 0,
      now: () => clock,
      accounts: [
        { apiKey: 'hmac-key', secretKey: 'hmac-secret' },
        { apiKey: 'ed-key', ed25519PublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      ],
    }),
  );
  const connect = async (query = ''): Promise<BinanceApiClient> =>
    testbed.track(await BinanceApiClient.connect(`${testbed.exchange.urls.wsApi}${query}`));
  const hmacParams = (timestamp = clock, apiKey = 'hmac-key', secret = 'hmac-secret'): Record<string, unknown> => {
    const params: Record<string, unknown> = { apiKey, timestamp };
    params.signature = signBinanceHmac(secret, params);
    return params;
  };
  const edParams = (timestamp = clock): Record<string, unknown> => {
    const params: Record<string, unknown> = { apiKey: 'ed-key', timestamp };
    params.signature = signBinanceEd25519(privateKey, params);
    return params;
  };

  it('signs as documented: params sorted by name, name=value joined by &, hex HMAC-SHA256', () => {
    const params = { timestamp: 2, apiKey: 'k', signature: 'ignored', recvWindow: 100 };
    expect(binanceSignaturePayload(params)).toBe('apiKey=k&recvWindow=100&timestamp=2');
    expect(signBinanceHmac('s', params)).toBe(
      createHmac('sha256', 's').update('apiKey=k&recvWindow=100&timestamp=2').digest('hex'),
    );
  });

  it('answers {id, status, result, rateLimits}; returnRateLimits=false leaves rateLimits out', async () => {
    const client = await connect();
    expect(await client.request('ping')).toEqual({
      id: 'r1',
      status: 200,
      result: {},
      rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000, count: 1 }],
    });
    expect((await client.request('time')).result).toEqual({ serverTime: clock });
    const quiet = await connect('?returnRateLimits=false');
    expect(await quiet.request('ping')).toEqual({ id: 'r1', status: 200, result: {} });
  });

  it('userDataStream.subscribe.signature (HMAC): events arrive as {subscriptionId, event}', async () => {
    const client = await connect();
    const { subscriptionId } = await client.call<{ subscriptionId: number }>('userDataStream.subscribe.signature', hmacParams());
    expect(subscriptionId).toBe(0);
    expect(testbed.exchange.publishUserData('hmac-key', 6)).toBe(1);
    const frames = await client.waitForUserDataEvents(6);
    expect(frames.every((f) => f.subscriptionId === 0)).toBe(true);
    const types = new Set(frames.map((f) => f.event.e));
    expect(types.has('executionReport')).toBe(true);
    const report = frames.find((f) => f.event.e === 'executionReport')?.event;
    expect(report).toMatchObject({
      E: clock,
      s: expect.stringMatching(/USDT$/),
      S: expect.stringMatching(/^(BUY|SELL)$/),
      x: expect.any(String),
      X: expect.any(String),
      i: expect.any(Number),
    });
    expect(await client.call('session.subscriptions')).toEqual([{ subscriptionId: 0 }]);
    expect(testbed.exchange.connections()[0]?.userDataSubscriptions).toEqual([0]);
  });

  it('userDataStream.unsubscribe ends the stream with eventStreamTerminated', async () => {
    const client = await connect();
    await client.subscribeUserData('hmac-key', 'hmac-secret', clock);
    expect(await client.call('userDataStream.unsubscribe')).toEqual({});
    expect(await client.waitForMessage((m) => (m as { event?: { e?: string } }).event?.e === 'eventStreamTerminated')).toEqual({
      subscriptionId: 0,
      event: { e: 'eventStreamTerminated', E: clock },
    });
    expect(testbed.exchange.publishUserData('hmac-key')).toBe(0);
    expect(testbed.exchange.counters.eventStreamTerminated).toBe(1);
  });

  it('session.logon (Ed25519) then userDataStream.subscribe; session.logout ends that stream', async () => {
    const client = await connect();
    expect(await client.call('session.logon', edParams())).toEqual({
      apiKey: 'ed-key',
      authorizedSince: clock,
      connectedSince: expect.any(Number),
      returnRateLimits: true,
      serverTime: clock,
      userDataStream: false,
    });
    expect(await client.call('userDataStream.subscribe')).toEqual({ subscriptionId: 0 });
    expect(await client.call('session.status')).toMatchObject({ apiKey: 'ed-key', userDataStream: true });
    testbed.exchange.publishUserData('ed-key', 2);
    await client.waitForUserDataEvents(2, 0);
    await client.call('session.logout');
    await client.waitForMessage((m) => (m as { event?: { e?: string } }).event?.e === 'eventStreamTerminated');
    expect(await client.call('session.status')).toMatchObject({ apiKey: null, userDataStream: false });
  });

  it('one subscription per account per connection; userDataStream.subscribe needs a logon', async () => {
    const client = await connect();
    await client.subscribeUserData('hmac-key', 'hmac-secret', clock);
    expect((await client.request('userDataStream.subscribe.signature', hmacParams())).error?.code).toBe(-1020);
    expect(await client.request('userDataStream.subscribe')).toMatchObject({ status: 401, error: { code: -1002 } });
  });

  it.each([
    ['a missing param', (): Record<string, unknown> => ({ apiKey: 'hmac-key', timestamp: clock }), 400, -1102],
    [
      'a stale timestamp',
      (): Record<string, unknown> => ({ ...{ apiKey: 'hmac-key', timestamp: clock - 6000 }, signature: 'x' }),
      400,
      -1021,
    ],
    [
      'a timestamp ahead',
      (): Record<string, unknown> => ({ apiKey: 'hmac-key', timestamp: clock + 1000, signature: 'x' }),
      400,
      -1021,
    ],
    ['a wrong signature', (): Record<string, unknown> => ({ apiKey: 'hmac-key', timestamp: clock, signature: 'ab' }), 400, -1022],
    ['an unknown key', (): Record<string, unknown> => ({ apiKey: 'nope', timestamp: clock, signature: 'ab' }), 401, -2015],
  ])('%s gets the venue’s error', async (_name, params, status, code) => {
    const client = await connect();
    expect(await client.request('userDataStream.subscribe.signature', params())).toMatchObject({
      status,
      error: { code, msg: expect.any(String) },
    });
    expect(testbed.exchange.counters.apiErrors).toBe(1);
  });

  it('recvWindow widens the timing check up to 60 s', async () => {
    const client = await connect();
    const params: Record<string, unknown> = { apiKey: 'hmac-key', timestamp: clock - 20_000, recvWindow: 30_000 };
    params.signature = signBinanceHmac('hmac-secret', params);
    await expect(client.call('userDataStream.subscribe.signature', params)).resolves.toEqual({ subscriptionId: 0 });
  });

  it('session.logon takes Ed25519 keys only', async () => {
    const client = await connect();
    expect((await client.request('session.logon', hmacParams())).error).toEqual({
      code: -1020,
      msg: 'This operation is not supported.',
    });
  });

  it('a key revoked mid-session: the next request gets id null, 401, -2015, and the logon stream ends', async () => {
    const client = await connect();
    await client.call('session.logon', edParams());
    await client.call('userDataStream.subscribe');
    const signed = await connect();
    await signed.subscribeUserData('hmac-key', 'hmac-secret', clock);
    testbed.exchange.revokeApiKey('ed-key');
    testbed.exchange.revokeApiKey('hmac-key');
    await signed.waitForMessage((m) => (m as { event?: { e?: string } }).event?.e === 'eventStreamTerminated');
    client.sendJson({ id: 'x', method: 'session.status' });
    expect(await client.waitForMessage((m) => (m as { status?: number }).status === 401)).toEqual({
      id: null,
      status: 401,
      error: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
    });
    await client.waitForMessage((m) => (m as { event?: { e?: string } }).event?.e === 'eventStreamTerminated');
    expect(await client.call('session.status')).toMatchObject({ apiKey: null });
    expect((await signed.request('userDataStream.subscribe.signature', hmacParams())).error?.code).toBe(-2015);
    testbed.exchange.restoreApiKey('hmac-key');
    await expect(signed.subscribeUserData('hmac-key', 'hmac-secret', clock)).resolves.toBe(1);
  });

  it('request weight beyond the minute’s limit: 429, -1003, retryAfter; it frees up a minute later', async () => {
    await testbed.restart({ feedIntervalMs: 0, now: () => clock, requestWeightPerMinute: 3 });
    const client = await connect();
    await client.call('ping');
    await client.call('ping');
    await client.call('ping');
    const limited = await client.request('ping');
    expect(limited).toMatchObject({
      status: 429,
      error: { code: -1003, data: { serverTime: clock, retryAfter: clock + 60_000 } },
    });
    expect(testbed.exchange.counters.rateLimited).toBe(1);
    clock += 60_000;
    await expect(client.call('ping')).resolves.toEqual({});
  });

  it('banIp: every WebSocket API request answers 418 / -1003 with data.retryAfter at the ban’s end, counted', async () => {
    const client = await connect();
    testbed.exchange.banIp(120_000);
    expect(await client.request('ping')).toMatchObject({
      status: 418,
      error: {
        code: -1003,
        msg: expect.stringContaining('IP banned until'),
        data: { serverTime: clock, retryAfter: clock + 120_000 },
      },
    });
    expect(testbed.exchange.counters.requestsWhileBanned).toBe(1);
    expect(testbed.exchange.counters.rateLimited).toBe(0);
    clock += 120_000;
    await expect(client.call('ping')).resolves.toEqual({});
  });

  it('setRateLimit’s bucket states its refill as retryAfter (not the minute window’s)', async () => {
    const client = await connect();
    testbed.exchange.setRateLimit({ capacity: 1, refillPerSec: 4 });
    await client.call('ping');
    expect(await client.request('ping')).toMatchObject({
      status: 429,
      error: { code: -1003, data: { serverTime: clock, retryAfter: clock + 250 } },
    });
    testbed.exchange.setRateLimit(false);
  });

  it('setRejectAuth refuses every signed request with -2015; endUserDataStreams ends live streams', async () => {
    const client = await connect();
    await client.subscribeUserData('hmac-key', 'hmac-secret', clock);
    testbed.exchange.setRejectAuth(true);
    expect((await client.request('session.logon', edParams())).error?.code).toBe(-2015);
    testbed.exchange.setRejectAuth(false);
    expect(testbed.exchange.endUserDataStreams()).toBe(1);
    await client.waitForMessage((m) => (m as { event?: { e?: string } }).event?.e === 'eventStreamTerminated');
  });

  it('unknown methods and unreadable frames get errors; the connection lives on', async () => {
    const client = await connect();
    expect(await client.request('order.place', {})).toMatchObject({ status: 400, error: { code: -1020 } });
    client.sendRaw('{"id":');
    expect(await client.waitForMessage((m) => (m as { id?: unknown }).id === null)).toMatchObject({
      status: 400,
      error: { code: -1000 },
    });
    expect((await client.request('v3/ping')).status).toBe(200);
    expect(testbed.exchange.requestLog.map((e) => e.method)).toEqual(['order.place', 'ping']);
  });
});

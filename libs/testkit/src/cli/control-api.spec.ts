import { BinanceApiClient, BinanceStreamClient } from '../binance/binance-test-clients.js';
import { BinanceTestExchange } from '../binance/binance-test-exchange.js';
import { BybitTestClient } from '../bybit/bybit-test-client.js';
import { BybitTestExchange } from '../bybit/bybit-test-exchange.js';
import { TestExchange } from '../deribit/test-exchange.js';
import { RpcTestClient } from '../deribit/rpc-test-client.js';
import { startControlApi, type ControlApi } from './control-api.js';

describe('control API', () => {
  let exchange: TestExchange;
  let control: ControlApi;
  let client: RpcTestClient | undefined;
  const call = async (method: string, path: string): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`http://127.0.0.1:${control.port}${path}`, { method });
    return { status: response.status, body: await response.json() };
  };

  beforeEach(async () => {
    exchange = await TestExchange.start({ feedIntervalMs: 0 });
    control = await startControlApi(exchange, 0);
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await control.close();
    await exchange.stop();
  });

  it('closes sockets with a code, reports connections and counters', async () => {
    client = await RpcTestClient.connect(exchange.url);
    await client.call('public/test');
    const connections = await call('GET', '/connections');
    expect(connections).toMatchObject({ status: 200, body: [{ id: 1, authenticated: false }] });
    expect((await call('GET', '/counters')).body).toMatchObject({ connections: 1, testCalls: 1 });
    expect(await call('POST', '/faults/close?code=1012&reason=bye')).toEqual({ status: 200, body: { ok: true } });
    expect(await client.waitForClose()).toEqual({ code: 1012, reason: 'bye' });
  });

  it('toggles faults', async () => {
    client = await RpcTestClient.connect(exchange.url);
    await call('POST', '/faults/reject-auth?on=1');
    expect(
      (
        await client.request('public/auth', {
          grant_type: 'client_credentials',
          client_id: 'test-client',
          client_secret: 'test-secret',
        })
      ).error?.code,
    ).toBe(13004);
    await call('POST', '/faults/reject-auth?on=0');
    await client.auth();
    await call('POST', '/faults/expire-tokens');
    expect((await client.request('private/get_cancel_on_disconnect')).error?.code).toBe(13009);
    expect((await call('POST', '/faults/delay?ms=abc')).status).toBe(400);
    expect((await call('POST', '/faults/malformed?kind=nope')).status).toBe(400);
    await call('POST', '/faults/upgrade-rejection?status=503');
    await expect(RpcTestClient.connect(exchange.url)).rejects.toMatchObject({ status: 503 });
    await call('POST', '/faults/upgrade-rejection?status=off');
    await call('POST', '/faults/terminate');
    expect((await client.waitForClose()).code).toBe(1006);
  });

  it('cuts sockets after a lifetime, closes one socket by id and sends notices (rotation tests)', async () => {
    client = await RpcTestClient.connect(exchange.url);
    expect((await call('POST', '/notify?method=test/server_shutdown')).body).toEqual({ sent: 1 });
    await client.waitForCount(
      () => client!.messages.filter((m) => (m as { method?: string }).method === 'test/server_shutdown'),
      1,
      'the notice',
    );
    expect((await call('POST', '/faults/close-connection?id=1&code=1011')).body).toEqual({ closed: true });
    expect((await client.waitForClose()).code).toBe(1011);
    await call('POST', '/faults/lifetime?ms=50');
    client = await RpcTestClient.connect(exchange.url);
    expect(await client.waitForClose()).toEqual({ code: 1000, reason: 'connection lifetime exceeded' });
    expect(exchange.counters).toMatchObject({ lifetimeCloses: 1, noticesSent: 1 });
    await call('POST', '/faults/lifetime?ms=off');
    expect((await call('POST', '/faults/lifetime?ms=-1')).status).toBe(400);
  });

  it('restarts on the same port and publishes on demand', async () => {
    const port = exchange.port;
    expect(await call('POST', '/restart')).toEqual({ status: 200, body: { ok: true } });
    expect(exchange.port).toBe(port);
    client = await RpcTestClient.connect(exchange.url);
    await client.call('public/subscribe', { channels: ['ticker.BTC-PERPETUAL.100ms'] });
    expect((await call('POST', '/publish?channel=ticker.BTC-PERPETUAL.100ms&count=2')).body).toEqual({ recipients: 1 });
    await client.waitForNotifications('ticker.BTC-PERPETUAL.100ms', 2);
  });

  it('answers unknown routes with 404 and wrong verbs with 405', async () => {
    expect((await call('GET', '/nope')).status).toBe(404);
    expect((await call('GET', '/restart')).status).toBe(405);
    expect((await call('GET', '/')).body).toMatchObject({ post: expect.arrayContaining(['/faults/close']) });
  });
});

describe('control API for a Bybit exchange', () => {
  let exchange: BybitTestExchange;
  let control: ControlApi;
  let client: BybitTestClient | undefined;
  const call = async (method: string, path: string): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`http://127.0.0.1:${control.port}${path}`, { method });
    return { status: response.status, body: await response.json() };
  };

  beforeEach(async () => {
    exchange = await BybitTestExchange.start({ feedIntervalMs: 0, level1ResnapshotMs: 0 });
    control = await startControlApi(exchange, 0);
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await control.close();
    await exchange.stop();
  });

  it('lists the Bybit routes and reports connections, counters and the op log', async () => {
    expect((await call('GET', '/')).body).toMatchObject({
      venue: 'bybit',
      post: expect.arrayContaining(['/faults/close', '/faults/op-rejection', '/faults/book-restart', '/publish']),
      get: expect.arrayContaining(['/connections', '/counters', '/op-log']),
    });
    client = await BybitTestClient.connect(exchange.url('linear'));
    await client.ping();
    expect((await call('GET', '/connections')).body).toMatchObject([{ market: 'linear' }]);
    expect((await call('GET', '/counters')).body).toMatchObject({ connections: 1, pings: 1 });
    expect((await call('GET', '/op-log')).body).toMatchObject([{ op: 'ping' }]);
  });

  it('publishes, injects book faults and rejects auth with a code', async () => {
    client = await BybitTestClient.connect(exchange.url('private'));
    expect(await call('POST', '/faults/reject-auth?code=10010')).toEqual({ status: 200, body: { ok: true } });
    expect((await client.op('auth', ['test-key', Date.now() + 5000, 'x'])).ret_msg).toMatch(/code:10010/);
    await call('POST', '/faults/reject-auth?on=0');
    await client.auth();
    expect((await call('POST', '/faults/reject-auth?code=12345')).status).toBe(400);
    await call('POST', '/faults/op-rejection?code=10019');
    expect((await client.op('subscribe', ['order'])).ret_msg).toMatch(/code:10019/);
    await call('POST', '/faults/op-rejection?code=off');
    await client.subscribe(['order']);
    expect((await call('POST', '/publish?market=private&topic=order&count=2')).body).toEqual({ recipients: 1 });
    await client.waitForTopicMessages('order', 2);
    expect((await call('POST', '/publish?market=nowhere&topic=order')).status).toBe(400);
    expect((await call('POST', '/faults/book-restart?market=linear&topic=orderbook.50.BTCUSDT')).status).toBe(200);
    expect((await call('POST', '/faults/book-gap?market=linear&topic=tickers.BTCUSDT')).status).toBe(400);
  });
});

describe('control API for a Binance exchange', () => {
  let exchange: BinanceTestExchange;
  let control: ControlApi;
  const clients: Array<{ close(): Promise<void> }> = [];
  const call = async (method: string, path: string): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`http://127.0.0.1:${control.port}${path}`, { method });
    return { status: response.status, body: await response.json() };
  };

  beforeEach(async () => {
    exchange = await BinanceTestExchange.start({ feedIntervalMs: 0 });
    control = await startControlApi(exchange, 0);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await control.close();
    await exchange.stop();
  });

  it('publishes, shuts the server down and serves the depth snapshot', async () => {
    expect((await call('GET', '/')).body).toMatchObject({
      venue: 'binance',
      post: expect.arrayContaining(['/faults/server-shutdown', '/publish-user-data']),
    });
    const stream = await BinanceStreamClient.connect(`${exchange.urls.spotStream}/btcusdt@trade`);
    clients.push(stream);
    expect((await call('POST', '/publish?product=spot&stream=btcusdt@trade&count=2')).body).toEqual({ recipients: 1 });
    await stream.waitForEvents(2);
    expect((await call('GET', '/depth?product=spot&symbol=BTCUSDT&limit=2')).body).toMatchObject({
      lastUpdateId: expect.any(Number),
      bids: [expect.any(Array), expect.any(Array)],
    });
    expect((await call('POST', '/faults/server-shutdown')).body).toEqual({ sent: 1 });
    await stream.waitForMessage((m) => (m as { e?: string }).e === 'serverShutdown');
    expect((await call('POST', '/faults/book-gap?product=usdm&stream=btcusdt@trade')).status).toBe(400);
    expect((await call('POST', '/faults/rest-rejection?status=429&retry-after=2')).status).toBe(200);
    const limited = await fetch(`${exchange.urls.rest}/api/v3/depth?symbol=BTCUSDT`);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
    expect((await call('POST', '/faults/rest-rejection?status=off')).status).toBe(200);
    expect((await call('POST', '/faults/ip-ban?ms=60000')).status).toBe(200);
    expect((await fetch(`${exchange.urls.rest}/api/v3/depth?symbol=BTCUSDT`)).status).toBe(418);
    expect((await call('POST', '/faults/ip-ban?ms=0')).status).toBe(400);
    expect((await call('POST', '/faults/ip-ban?ms=off')).status).toBe(200);
    expect((await fetch(`${exchange.urls.rest}/api/v3/depth?symbol=BTCUSDT`)).status).toBe(200);
  });

  it('revokes a key and ends user data streams', async () => {
    const api = await BinanceApiClient.connect(exchange.urls.wsApi);
    clients.push(api);
    await api.subscribeUserData();
    expect((await call('POST', '/publish-user-data?api-key=test-key&count=1')).body).toEqual({ recipients: 1 });
    await call('POST', '/faults/revoke-key?api-key=test-key');
    await api.waitForMessage((m) => (m as { event?: { e?: string } }).event?.e === 'eventStreamTerminated');
    expect(
      (await api.request('userDataStream.subscribe.signature', { apiKey: 'test-key', timestamp: Date.now(), signature: 'x' }))
        .error?.code,
    ).toBe(-2015);
    await call('POST', '/faults/restore-key?api-key=test-key');
    await api.subscribeUserData();
    expect((await call('POST', '/faults/end-user-data')).body).toEqual({ ended: 1 });
  });

  it('publishes USDⓈ-M user data to /private sockets and expires listenKeys', async () => {
    const response = await fetch(`${exchange.urls.rest}/fapi/v1/listenKey`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': 'test-key' },
    });
    const { listenKey } = (await response.json()) as { listenKey: string };
    const stream = await BinanceStreamClient.connect(`${exchange.urls.usdmPrivate}/ws?listenKey=${listenKey}`);
    clients.push(stream);
    expect((await call('POST', '/publish-futures-user-data?api-key=test-key&count=2')).body).toEqual({ recipients: 1 });
    await stream.waitForEvents(2);
    expect((await call('POST', '/faults/expire-listen-keys?api-key=test-key')).body).toEqual({ expired: 1 });
    await stream.waitForEvents(1, { type: 'listenKeyExpired' });
  });
});

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

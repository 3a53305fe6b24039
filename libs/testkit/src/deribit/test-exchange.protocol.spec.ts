import { useExchangeTestbed } from '../../../../test/support/exchange-testbed.js';
import { RpcTestClient } from './rpc-test-client.js';

describe('TestExchange protocol', () => {
  const testbed = useExchangeTestbed(() => ({ feedIntervalMs: 0 }));
  const { connect } = testbed;

  it('listens on an ephemeral loopback port at the Deribit path', () => {
    expect(testbed.exchange.port).toBeGreaterThan(0);
    expect(testbed.exchange.url).toBe(`ws://127.0.0.1:${testbed.exchange.port}/ws/api/v2`);
  });

  it('answers with the Deribit envelope: usIn/usOut/usDiff/testnet', async () => {
    const client = await connect();
    const response = await client.request('public/test');
    expect(response).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { version: expect.any(String) },
      usIn: expect.any(Number),
      usOut: expect.any(Number),
      usDiff: expect.any(Number),
      testnet: true,
    });
    expect(response.usOut).toBeGreaterThanOrEqual(response.usIn);
    expect(response.usDiff).toBe(response.usOut - response.usIn);
    expect(response.usIn).toBeGreaterThan(Date.now() * 1000 - 60_000_000);
  });

  it('public/test with expected_result "exception" answers an error', async () => {
    const client = await connect();
    const response = await client.request('public/test', { expected_result: 'exception' });
    expect(response.error).toEqual({ code: 11094, message: 'internal_server_error', data: { reason: 'expected_result' } });
    expect(testbed.exchange.counters.testCalls).toBe(1);
  });

  it('public/get_time returns server time in ms; public/hello returns the version', async () => {
    const client = await connect();
    const before = Date.now();
    const time = await client.call<number>('public/get_time');
    expect(Number.isInteger(time)).toBe(true);
    expect(time).toBeGreaterThanOrEqual(before);
    await expect(client.call('public/hello', { client_name: 'spec', client_version: '1.0' })).resolves.toEqual({
      version: expect.any(String),
    });
  });

  it('accepts string ids and echoes them', async () => {
    const client = await connect();
    client.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 'abc', method: 'public/get_time' }));
    const response = (await client.waitForMessage((m) => (m as { id?: unknown }).id === 'abc')) as { result: number };
    expect(typeof response.result).toBe('number');
  });

  it('unknown method → -32601 Method not found', async () => {
    const client = await connect();
    const response = await client.request('public/no_such_thing');
    expect(response.error).toEqual({ code: -32601, message: 'Method not found' });
  });

  it('unparsable frame → -32700 with id null, and the connection keeps working', async () => {
    const client = await connect();
    client.sendRaw('{"jsonrpc":"2.0","id":1,"method":');
    const error = (await client.waitForMessage((m) => (m as { error?: { code: number } }).error?.code === -32700)) as Record<
      string,
      unknown
    >;
    expect(error).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' }, testnet: true });
    await expect(client.call('public/test')).resolves.toEqual({ version: expect.any(String) });
    expect(testbed.exchange.counters.malformedIn).toBe(1);
  });

  it.each([
    ['missing id', { jsonrpc: '2.0', method: 'public/test' }, null],
    ['batch', [{ jsonrpc: '2.0', id: 1, method: 'public/test' }], null],
    ['scalar', 42, null],
    ['bad jsonrpc version', { jsonrpc: '1.0', id: 7, method: 'public/test' }, 7],
    ['method not a string', { jsonrpc: '2.0', id: 8, method: 12 }, 8],
  ])('%s → -32600', async (_name, frame, id) => {
    const client = await connect();
    client.sendRaw(JSON.stringify(frame));
    const response = (await client.waitForMessage((m) => (m as { error?: { code: number } }).error?.code === -32600)) as Record<
      string,
      unknown
    >;
    expect(response).toMatchObject({ id, error: { code: -32600, message: 'Invalid Request' } });
  });

  it('positional params and wrong param types → -32602 Invalid params naming the param', async () => {
    const client = await connect();
    client.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'public/test', params: ['x'] }));
    const positional = (await client.waitForMessage((m) => (m as { id?: unknown }).id === 5)) as Record<string, unknown>;
    expect(positional).toMatchObject({ error: { code: -32602, message: 'Invalid params', data: { param: 'params' } } });
    const wrongType = await client.request('public/set_heartbeat', { interval: 'ten' });
    expect(wrongType.error).toEqual({
      code: -32602,
      message: 'Invalid params',
      data: { param: 'interval', reason: 'must be a number' },
    });
    const missing = await client.request('public/subscribe', {});
    expect(missing.error).toMatchObject({ code: -32602, data: { param: 'channels', reason: 'required' } });
    const notStrings = await client.request('public/subscribe', { channels: [1, 2] });
    expect(notStrings.error).toMatchObject({ code: -32602, data: { param: 'channels' } });
  });

  it('a frame above maxPayload → -32600 request entity too large, socket stays open', async () => {
    await testbed.restart({ feedIntervalMs: 0, maxPayload: 1024 });
    const client = await connect();
    client.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'public/test', params: { pad: 'x'.repeat(2000) } }));
    const response = (await client.waitForMessage((m) => (m as { error?: { code: number } }).error?.code === -32600)) as Record<
      string,
      unknown
    >;
    expect(response).toMatchObject({ id: null, error: { code: -32600, message: 'request entity too large' } });
    await expect(client.call('public/test')).resolves.toBeDefined();
  });

  it('bad frames on one connection never affect another', async () => {
    const bad = await connect();
    const good = await connect();
    await good.call('public/subscribe', { channels: ['ticker.BTC-PERPETUAL.100ms'] });
    for (const frame of ['garbage', '[]', '{"id":1}', '\u0000\u0001', JSON.stringify({ id: 2, method: 'x', params: 3 })]) {
      bad.sendRaw(frame);
    }
    bad.sendRaw(Buffer.from([0xff, 0xfe, 0x00]));
    await bad.waitForMessage(() => bad.messages.length >= 6);
    expect(testbed.exchange.publish('ticker.BTC-PERPETUAL.100ms')).toBe(1);
    await good.waitForNotifications('ticker.BTC-PERPETUAL.100ms', 1);
    await expect(good.call('public/test')).resolves.toBeDefined();
    await expect(bad.call('public/test')).resolves.toBeDefined();
    expect(testbed.exchange.connections()).toHaveLength(2);
  });

  it('answers pings with pongs (autoPong replaced by the session)', async () => {
    const client = await connect();
    const pong = new Promise<Buffer>((resolve) => client.socket.once('pong', resolve));
    client.socket.ping(Buffer.from('hi'));
    expect((await pong).toString()).toBe('hi');
  });

  it('plain HTTP requests get 426 and other paths are refused with 404', async () => {
    const response = await fetch(`http://127.0.0.1:${testbed.exchange.port}/ws/api/v2`);
    expect(response.status).toBe(426);
    await response.text();
    await expect(RpcTestClient.connect(`ws://127.0.0.1:${testbed.exchange.port}/other`)).rejects.toMatchObject({ status: 404 });
  });

  it('logs the order of methods per connection without params', async () => {
    const client = await connect();
    await client.auth();
    await client.call('public/set_heartbeat', { interval: 10 });
    await client.call('private/enable_cancel_on_disconnect');
    await client.call('public/subscribe', { channels: ['ticker.BTC-PERPETUAL.100ms'] });
    const id = testbed.exchange.connections()[0]?.id;
    expect(testbed.exchange.requestLog.filter((r) => r.connectionId === id).map((r) => r.method)).toEqual([
      'public/auth',
      'public/set_heartbeat',
      'private/enable_cancel_on_disconnect',
      'public/subscribe',
    ]);
    expect(JSON.stringify(testbed.exchange.requestLog)).not.toContain('test-secret');
    expect(testbed.exchange.counters.requests).toBe(4);
  });
});

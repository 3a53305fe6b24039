import { useExchangeTestbed } from '../../../../test/support/exchange-testbed.js';
import { RpcTestClient } from './rpc-test-client.js';

describe('TestExchange fault controls', () => {
  const testbed = useExchangeTestbed(() => ({ feedIntervalMs: 0, minHeartbeatIntervalSec: 0.1 }));
  const { connect } = testbed;

  it('closeAll sends the close code and reason to every socket', async () => {
    const [a, b] = [await connect(), await connect()];
    testbed.exchange.closeAll(1012, 'service restart');
    expect(await a.waitForClose()).toEqual({ code: 1012, reason: 'service restart' });
    expect(await b.waitForClose()).toEqual({ code: 1012, reason: 'service restart' });
  });

  it('closeAll with an unsendable code (1006) drops the sockets instead', async () => {
    const client = await connect();
    testbed.exchange.closeAll(1006);
    expect((await client.waitForClose()).code).toBe(1006);
  });

  it('terminateAll destroys sockets without a close frame (client sees 1006)', async () => {
    const client = await connect();
    testbed.exchange.terminateAll();
    expect((await client.waitForClose()).code).toBe(1006);
    await testbed.exchange.waitFor(() => testbed.exchange.connections().length === 0);
  });

  it('black hole: nothing answered, no feeds, no pongs, socket stays open; then recovers', async () => {
    await testbed.restart({ feedIntervalMs: 20, minHeartbeatIntervalSec: 0.1 });
    const client = await testbed.connect({ answerTestRequests: false });
    await client.call('public/set_heartbeat', { interval: 0.1 });
    await client.call('public/subscribe', { channels: ['ticker.BTC-PERPETUAL.100ms'] });
    testbed.exchange.setBlackHole(true);
    // Frames written before the switch may still be in flight: wait until all of them arrived.
    const [connection] = testbed.exchange.connections();
    await testbed.exchange.waitFor(() => client.messages.length === connection?.framesSent);
    const seen = client.messages.length;
    let ponged = false;
    client.socket.once('pong', () => (ponged = true));
    client.socket.ping();
    await expect(client.request('public/test', undefined, 400)).rejects.toThrow(/no response/);
    expect(client.messages.length).toBe(seen);
    expect(ponged).toBe(false);
    expect(client.isOpen).toBe(true);
    expect(testbed.exchange.counters.heartbeatCloses).toBe(0);
    testbed.exchange.setBlackHole(false);
    await expect(client.call('public/test')).resolves.toBeDefined();
  });

  it('setResponseDelay delays every response by ms', async () => {
    const client = await connect();
    testbed.exchange.setResponseDelay(150);
    const started = Date.now();
    const response = await client.request('public/get_time');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(response.usDiff).toBeGreaterThanOrEqual(140_000);
    testbed.exchange.setResponseDelay(0);
  });

  it('rate limit: 10028 too_many_requests when credits run out, refills over time', async () => {
    let clock = 1_000;
    await testbed.restart({ feedIntervalMs: 0, now: () => clock, rateLimit: { capacity: 3, refillPerSec: 1 } });
    const client = await connect();
    for (let i = 0; i < 3; i += 1) await client.call('public/test');
    const limited = await client.request('public/test');
    expect(limited.error).toEqual({ code: 10028, message: 'too_many_requests' });
    expect(testbed.exchange.counters.rateLimited).toBe(1);
    clock += 1_000;
    await expect(client.call('public/test')).resolves.toBeDefined();
    testbed.exchange.setRateLimit(false);
    for (let i = 0; i < 10; i += 1) await client.call('public/test');
    testbed.exchange.setRateLimit({ capacity: 1, refillPerSec: 0, cost: 1 });
    await client.call('public/test');
    expect((await client.request('public/test')).error?.code).toBe(10028);
  });

  it.each([401, 403, 503])('setUpgradeRejection(%i) answers upgrades with that status', async (status) => {
    testbed.exchange.setUpgradeRejection(status);
    await expect(RpcTestClient.connect(testbed.exchange.url)).rejects.toMatchObject({ status });
    testbed.exchange.setUpgradeRejection(null);
    await expect(connect()).resolves.toBeDefined();
  });

  it('sendMalformed delivers each kind; the exchange keeps serving', async () => {
    const client = await connect();
    const binary = new Promise<boolean>((resolve) => client.socket.once('message', (_data, isBinary) => resolve(isBinary)));
    testbed.exchange.sendMalformed('binary');
    expect(await binary).toBe(true);
    for (const kind of ['garbage', 'unknown-id', 'wrong-shape', 'deep-nesting'] as const) testbed.exchange.sendMalformed(kind);
    await client.waitForMessage(() => client.messages.length >= 5);
    expect(client.messages[1]).toEqual(expect.stringContaining('"channel":'));
    expect(client.messages[2]).toMatchObject({ id: 987654321, result: 'ok' });
    expect(client.messages[3]).toMatchObject({ method: 'subscription', params: ['not', 'an', 'object'] });
    expect(client.messages[4]).toMatchObject({ method: 'subscription' });
    await expect(client.call('public/test')).resolves.toBeDefined();
  });

  it('sendOversized sends a valid notification of exactly that many bytes', async () => {
    const client = await connect();
    const size = new Promise<number>((resolve) => client.socket.once('message', (data: Buffer) => resolve(data.length)));
    testbed.exchange.sendOversized(200_000);
    expect(await size).toBe(200_000);
    expect(client.messages[0]).toMatchObject({ method: 'subscription', params: { channel: 'ticker.BTC-PERPETUAL.100ms' } });
  });

  it('restart listens again on the same port; sessions and tokens are lost', async () => {
    const port = testbed.exchange.port;
    const client = await connect();
    const grant = await client.auth();
    await testbed.exchange.restart();
    expect((await client.waitForClose()).code).toBe(1006);
    expect(testbed.exchange.port).toBe(port);
    const fresh = await connect();
    const response = await fresh.request('private/get_cancel_on_disconnect', { access_token: grant.access_token });
    expect(response.error?.code).toBe(13009);
    expect(
      (await fresh.request('public/auth', { grant_type: 'refresh_token', refresh_token: grant.refresh_token })).error?.code,
    ).toBe(13009);
    expect(testbed.exchange.counters.connections).toBe(2);
  });

  it('stop is idempotent and refuses new connections', async () => {
    await connect();
    await Promise.all([testbed.exchange.stop(), testbed.exchange.stop()]);
    await testbed.exchange.stop();
    await expect(RpcTestClient.connect(testbed.exchange.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('waitFor rejects with a clear message on timeout', async () => {
    await expect(testbed.exchange.waitFor(() => testbed.exchange.counters.auth > 0, 50)).rejects.toThrow(
      /waitFor timed out after 50 ms.*counters\.auth/,
    );
  });

  it('resetCounters zeroes counters and logs', async () => {
    const client = await connect();
    await client.call('public/test');
    testbed.exchange.resetCounters();
    expect(testbed.exchange.counters.requests).toBe(0);
    expect(testbed.exchange.counters.connections).toBe(0);
    expect(testbed.exchange.requestLog).toHaveLength(0);
  });
});

import { embeddedConnectionOptions } from '../../apps/market-data/src/embedded/embedded-exchange.js';
import { waitFor } from '../support/wait-for.js';
import { useMarketDataApp } from './market-data-testbed.js';
import type { StreamFrame, StreamTestClient } from './stream-test-client.js';

const TICKER = 'ticker.BTC-PERPETUAL.100ms';
const isTick = (f: StreamFrame): boolean => f.type === 'data' && f.channel === TICKER;

describe('market-data app (real exchange socket, real HTTP, real ws gateway)', () => {
  const testbed = useMarketDataApp({
    exchange: { seed: 3, feedIntervalMs: 50 },
    app: (embedded) => ({
      connections: embeddedConnectionOptions(embedded.exchange.url, embedded.credentials),
      // A burst of 10 covers the refusal test's 8 messages; the flood test sends 200.
      stream: { rateBurst: 10, ratePerSec: 5 },
      logger: false,
    }),
  });
  const client = testbed.streamClient;

  async function subscribedClient(): Promise<StreamTestClient> {
    const c = await client();
    c.send({ type: 'subscribe', channel: TICKER, id: 1 });
    await c.waitFrames((f) => f.type === 'subscribed' && f.channel === TICKER, 1, 'subscribed');
    return c;
  }

  it('GET /health and /health/ready show the connection ready and no credential', async () => {
    for (const path of ['/health', '/health/ready']) {
      const response = await fetch(`${testbed.httpUrl}${path}`);
      const text = await response.text();
      expect(response.status).toBe(200);
      const body = JSON.parse(text) as {
        status: string;
        details: { exchange: { connections: Record<string, { state: string }> } };
      };
      expect(body.status).toBe('ok');
      expect(body.details.exchange.connections.deribit?.state).toBe('ready');
      expect(text).not.toContain(testbed.embedded.credentials.clientSecret);
      expect(text).not.toContain(testbed.embedded.credentials.clientId);
      expect(text.toLowerCase()).not.toMatch(/secret|token|password/);
    }
  });

  it('re-broadcasts ticker frames to a browser client', async () => {
    const c = await client();
    expect(c.of('welcome')[0]).toMatchObject({
      connection: 'deribit',
      state: 'ready',
      channels: expect.arrayContaining([TICKER]),
    });
    c.send({ type: 'subscribe', channel: TICKER, id: 'a' });
    await c.waitFrames((f) => f.type === 'subscribed', 1, 'subscribed');
    const ticks = await c.waitFrames(isTick, 3, 'three ticker frames');
    expect(ticks[0]?.data).toMatchObject({ instrument_name: 'BTC-PERPETUAL', last_price: expect.any(Number) });
    expect(c.of('subscribed')[0]).toEqual({ type: 'subscribed', connection: 'deribit', channel: TICKER, id: 'a' });
  });

  it('refuses private channels, method calls, garbage, oversize and binary messages with errors, and serves others meanwhile', async () => {
    const bystander = await subscribedClient();
    const attacker = await client();
    const bad: Array<[unknown, string]> = [
      [{ type: 'subscribe', channel: 'user.orders.BTC-PERPETUAL.raw' }, 'channel_not_allowed'],
      [{ type: 'subscribe', channel: 'user.portfolio.btc' }, 'channel_not_allowed'],
      [{ type: 'subscribe', channel: 'trades.BTC-PERPETUAL.raw' }, 'channel_not_allowed'],
      [{ type: 'call', method: 'private/buy', params: { instrument_name: 'BTC-PERPETUAL', amount: 10 } }, 'bad_shape'],
      [{ jsonrpc: '2.0', id: 1, method: 'private/subscribe', params: { channels: ['user.orders.any.raw'] } }, 'bad_shape'],
      ['{not json', 'bad_json'],
      [JSON.stringify({ type: 'subscribe', channel: TICKER, pad: 'x'.repeat(2_000) }), 'too_large'],
    ];
    // One at a time, inside the attacker's burst, so each gets its own specific answer.
    for (const [message, code] of bad) {
      const before = attacker.of('error').length;
      attacker.send(message);
      const errors = await attacker.waitFrames((f) => f.type === 'error', before + 1, `error ${code}`);
      expect(errors[before]).toMatchObject({ type: 'error', code });
      expect(attacker.socket.readyState).toBe(attacker.socket.OPEN);
    }
    attacker.socket.send(Buffer.from([0xde, 0xad]), { binary: true });
    await attacker.waitFrames((f) => f.type === 'error' && f.code === 'binary', 1, 'binary refused');
    expect(attacker.of('data')).toHaveLength(0);

    const seen = bystander.of('data').length;
    await bystander.waitFrames(isTick, seen + 3, 'bystander still served');
    // Nothing the attacker sent reached the exchange.
    expect(
      testbed.exchange
        .connections()
        .flatMap((c) => c.subscriptions)
        .filter((ch) => !ch.startsWith('ticker.') && !ch.startsWith('book.')),
    ).toEqual([]);
    expect(testbed.exchange.requestLog.filter((r) => r.method.startsWith('private/'))).toEqual([]);
  });

  it('answers a flood with rate_limited errors (not one per message) and keeps serving other clients', async () => {
    const bystander = await subscribedClient();
    const flooder = await client();
    for (let i = 0; i < 200; i += 1) flooder.send({ type: 'ping', id: i });
    await flooder.waitFrames((f) => f.type === 'error' && f.code === 'rate_limited', 1, 'rate_limited');
    const pongs = flooder.of('pong').length;
    expect(pongs).toBeGreaterThanOrEqual(1);
    expect(pongs).toBeLessThan(20);
    expect(flooder.of('error').length).toBeLessThan(5);
    const seen = bystander.of('data').length;
    await bystander.waitFrames(isTick, seen + 3, 'bystander still served');
    expect(flooder.socket.readyState).toBe(flooder.socket.OPEN);
  });

  it('keeps a gateway client streaming across a dropped exchange socket (stream survives reconnect)', async () => {
    const c = await subscribedClient();
    await c.waitFrames(isTick, 2, 'ticks before the drop');
    const cyclesBefore = testbed.events.filter((e) => e.type === 'ready').length;
    testbed.exchange.terminateAll();
    await waitFor(() => testbed.events.filter((e) => e.type === 'ready').length > cyclesBefore, {
      timeoutMs: 10_000,
      message: 'rebuilt session',
    });
    await c.waitFrames((f) => f.type === 'state' && f.state === 'ready', 1, 'state ready pushed to client');
    expect(c.of('state').map((f) => f.state)).toContain('reconnecting');
    const afterReady = c.frames.length;
    await waitFor(() => c.frames.slice(afterReady).filter(isTick).length >= 3, {
      timeoutMs: 5_000,
      message: 'ticks after reconnect',
    });
    expect(testbed.connection.stats().reconnects).toBeGreaterThanOrEqual(1);
    // Restored on the new exchange connection, exactly once.
    const live = testbed.exchange.connections();
    expect(live).toHaveLength(1);
    expect(live[0]?.subscriptions.filter((ch) => ch === TICKER)).toHaveLength(1);
  });
});

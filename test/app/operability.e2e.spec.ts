import { embeddedConnectionOptions } from '../../apps/market-data/src/embedded/embedded-exchange.js';
import { waitFor } from '../support/wait-for.js';
import { useMarketDataApp } from './market-data-testbed.js';
import { sample } from './prometheus-text.js';

const BOOK = 'book.BTC-PERPETUAL.100ms';

describe('operability: JSON logs, /metrics, /health readiness, status stream (real sockets, real HTTP)', () => {
  const lines: string[] = [];
  const testbed = useMarketDataApp({
    exchange: { seed: 5, feedIntervalMs: 50 },
    app: (embedded) => {
      const connections = embeddedConnectionOptions(embedded.exchange.url, embedded.credentials);
      const config = connections.connections[0]!;
      // Room for the delayed-responses test; a circuit that stays open once opened.
      config.client = { ...config.client, requestTimeoutMs: 5_000 };
      config.circuitBreaker = { failureThreshold: 10, cooldownMs: 120_000 };
      return {
        connections,
        logger: ['fatal', 'error', 'warn', 'log', 'debug'],
        logFormat: 'json',
        logWrite: (line) => lines.push(line),
        statusIntervalMs: 200,
      };
    },
  });
  const readyCount = () => testbed.events.filter((e) => e.type === 'ready').length;
  const metrics = async () => (await fetch(`${testbed.httpUrl}/metrics`)).text();
  const deribit = { connection: 'deribit' };

  it('serves /metrics in Prometheus format with the connection ready', async () => {
    const response = await fetch(`${testbed.httpUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(sample(text, 'exchange_connection_state', { ...deribit, state: 'ready' })).toBe(1);
    expect(sample(text, 'exchange_connection_state', { ...deribit, state: 'reconnecting' })).toBe(0);
    expect(sample(text, 'exchange_connection_up', deribit)).toBe(1);
    expect(sample(text, 'exchange_connection_circuit_state', { ...deribit, circuit: 'closed' })).toBe(1);
    expect(sample(text, 'exchange_connection_rebuild_duration_seconds_count', deribit)).toBe(1);
    expect(sample(text, 'exchange_connection_restored_subscriptions', deribit)).toBe(2);
    expect(sample(text, 'exchange_connection_in_flight_requests', deribit)).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/# TYPE exchange_connection_reconnects_total counter/);
    expect(text).toMatch(/# TYPE exchange_connection_rebuild_duration_seconds histogram/);
    expect(text).not.toContain(testbed.embedded.credentials.clientSecret);
    await waitFor(async () => (sample(await metrics(), 'exchange_connection_messages_received_total', deribit) ?? 0) > 0, {
      message: 'messages counted',
    });
    expect(sample(await metrics(), 'exchange_connection_last_message_age_seconds', deribit)).toBeLessThan(5);
  });

  it('counts a dropped socket (reconnects, down by code, rebuilds) and logs the failure and recovery as JSON under one correlationId per cycle', async () => {
    const before = readyCount();
    const cycle = testbed.events.filter((e) => e.type === 'ready').at(-1)?.cycle ?? 1;
    testbed.exchange.terminateAll();
    await waitFor(() => readyCount() > before, { timeoutMs: 10_000, message: 'rebuilt session' });
    const text = await metrics();
    expect(sample(text, 'exchange_connection_reconnects_total', deribit)).toBe(1);
    expect(sample(text, 'exchange_connection_rebuild_duration_seconds_count', deribit)).toBe(2);
    expect(sample(text, 'exchange_connection_restored_subscriptions_total', deribit)).toBe(4);
    const downCodes = text.split('\n').filter((l) => l.startsWith('exchange_connection_down_total{'));
    expect(downCodes).toHaveLength(1);
    expect(sample(text, 'exchange_connection_state', { ...deribit, state: 'ready' })).toBe(1);

    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records)
      expect(r).toEqual(
        expect.objectContaining({ time: expect.any(String), level: expect.any(String), message: expect.anything() }),
      );
    const failed = records.filter((r) => r.correlationId === `deribit/${cycle}`);
    // Both layers: the client saw the socket die (close code), the supervisor declared the session down.
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'warn',
          layer: 'client',
          message: 'Socket down',
          closeCode: 1006,
          context: 'ExchangeConnection',
        }),
        expect.objectContaining({ level: 'warn', layer: 'supervisor', message: expect.stringMatching(/^down: /) }),
        expect.objectContaining({ level: 'warn', event: 'rebuild-scheduled', delayMs: expect.any(Number) }),
      ]),
    );
    const recovered = records.filter((r) => r.correlationId === `deribit/${cycle + 1}`);
    expect(recovered).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'log', message: expect.stringMatching(/^ready in \d+ ms, 2 subscriptions restored$/) }),
      ]),
    );
    // The app's own Nest lines are JSON too.
    expect(records.some((r) => r.context === 'NestApplication' || r.context === 'RoutesResolver')).toBe(true);
    expect(lines.join('\n')).not.toContain(testbed.embedded.credentials.clientSecret);
  });

  it('counts malformed frames and book gaps', async () => {
    testbed.exchange.sendMalformed('garbage');
    testbed.exchange.sendMalformed('wrong-shape');
    await waitFor(async () => (sample(await metrics(), 'exchange_connection_malformed_frames_total', deribit) ?? 0) >= 2, {
      message: 'malformed counted',
    });
    testbed.exchange.injectBookGap(BOOK);
    await waitFor(async () => sample(await metrics(), 'exchange_connection_gaps_total', deribit) === 1, {
      timeoutMs: 5_000,
      message: 'gap counted',
    });
  });

  it('pushes connection status on /stream to a client that asks for it (no credential in it)', async () => {
    const c = await testbed.streamClient();
    c.send({ type: 'status', id: 'st' });
    const [first] = await c.waitFrames((f) => f.type === 'status' && f.id === 'st', 1, 'status reply');
    expect(first).toMatchObject({
      type: 'status',
      id: 'st',
      connections: [{ name: 'deribit', state: 'ready', reconnects: 1, circuit: 'closed' }],
    });
    // Then pushed, without asking again.
    await c.waitFrames((f) => f.type === 'status' && f.id === undefined, 2, 'status pushes');
    expect(JSON.stringify(c.frames)).not.toContain(testbed.embedded.credentials.clientSecret);
    expect(JSON.stringify(c.frames)).not.toContain(testbed.embedded.credentials.clientId);
    c.send({ type: 'status', channel: 'user.orders.BTC-PERPETUAL.raw' });
    await c.waitFrames((f) => f.type === 'error' && f.code === 'bad_shape', 1, 'status with a channel refused');
  });

  it('/health/ready is down while a connection is restoring, up once ready', async () => {
    testbed.exchange.setResponseDelay(800);
    try {
      const before = readyCount();
      testbed.exchange.terminateAll();
      await waitFor(() => testbed.connection.state === 'restoring', { timeoutMs: 10_000, message: 'state restoring' });
      const ready = await fetch(`${testbed.httpUrl}/health/ready`);
      const body = (await ready.json()) as {
        status: string;
        error?: { exchange?: { connections: Record<string, { state: string }> } };
      };
      expect(ready.status).toBe(503);
      expect(body.error?.exchange?.connections.deribit?.state).toBe('restoring');
      const health = (await (await fetch(`${testbed.httpUrl}/health`)).json()) as {
        details: { exchange: { connections: Record<string, { state: string }> } };
      };
      expect(health.details.exchange.connections.deribit?.state).toBe('restoring');
      testbed.exchange.setResponseDelay(0);
      await waitFor(() => readyCount() > before, { timeoutMs: 10_000, message: 'ready again' });
      expect((await fetch(`${testbed.httpUrl}/health/ready`)).status).toBe(200);
    } finally {
      testbed.exchange.setResponseDelay(0);
    }
  });

  it('an open circuit (credentials rejected) takes /health and /health/ready down, with the reason, and shows in /metrics', async () => {
    testbed.exchange.setRejectAuth(true);
    testbed.exchange.terminateAll();
    await waitFor(() => testbed.connection.state === 'circuit-open', { timeoutMs: 10_000, message: 'circuit open' });
    for (const path of ['/health', '/health/ready']) {
      const response = await fetch(`${testbed.httpUrl}${path}`);
      const text = await response.text();
      expect(response.status).toBe(503);
      const body = JSON.parse(text) as {
        error: { exchange: { connections: Record<string, { state: string; reason?: string; circuit: string }> } };
      };
      expect(body.error.exchange.connections.deribit).toMatchObject({
        state: 'circuit-open',
        circuit: 'open',
        reason: expect.stringMatching(/^INVALID_CREDENTIALS: /),
      });
      expect(text).not.toContain(testbed.embedded.credentials.clientSecret);
    }
    const text = await metrics();
    expect(sample(text, 'exchange_connection_state', { ...deribit, state: 'circuit-open' })).toBe(1);
    expect(sample(text, 'exchange_connection_up', deribit)).toBe(0);
    expect(sample(text, 'exchange_connection_circuit_state', { ...deribit, circuit: 'open' })).toBe(1);
    expect(sample(text, 'exchange_connection_circuit_opens_total', deribit)).toBe(1);
    expect(sample(text, 'exchange_connection_down_total', { ...deribit, code: 'INVALID_CREDENTIALS' })).toBe(1);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'error', event: 'circuit', circuit: 'open', connection: 'deribit' }),
      ]),
    );
  });
});

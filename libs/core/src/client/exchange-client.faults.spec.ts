import { TestExchange } from '@exchange-connection/testkit';
import { FaultProxy } from '@exchange-connection/testkit';
import { sleep, waitFor, waitForEvent } from '../../../../test/support/wait-for.js';
import type { ClientLogger, ExchangeClientEvents, ExchangeClientOptions } from './client-types.js';
import { JsonRpcCodec } from './json-rpc-codec.js';
import type { VenueMessage } from './venue-codec.js';
import { ExchangeConnectionError } from './errors.js';
import { ExchangeClient } from './exchange-client.js';
import { noJitter } from './jitter.js';

/** Resolves on the next event-loop turn: every frame handed over in this one has been handled. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface LogLine {
  level: string;
  message: string;
  context?: Record<string, unknown>;
}

function capturingLogger(): ClientLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const push = (level: string) => (message: string, context?: Record<string, unknown>) =>
    void lines.push({ level, message, context });
  return { lines, log: push('log'), warn: push('warn'), error: push('error'), debug: push('debug') };
}

describe('ExchangeClient faults over real sockets', () => {
  let exchange: TestExchange;
  let proxy: FaultProxy;
  let client: ExchangeClient | undefined;
  let logger: ReturnType<typeof capturingLogger>;

  beforeEach(async () => {
    exchange = await TestExchange.start({ port: 0, feedIntervalMs: 0 });
    proxy = await FaultProxy.start({ target: { port: exchange.port } });
    logger = capturingLogger();
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await proxy.stop();
    await exchange.stop();
  });

  function newClient(overrides: Partial<ExchangeClientOptions> = {}): ExchangeClient {
    client = new ExchangeClient({
      url: proxy.url(),
      baseDelayMs: 20,
      jitter: noJitter,
      heartbeat: false,
      logger,
      connectTimeoutMs: 2000,
      ...overrides,
    });
    return client;
  }

  it('detects a half-open link (proxy black hole) within 1.1× the heartbeat bound', async () => {
    const timeoutMs = 600;
    const c = newClient({ reconnectOnError: false, heartbeat: { intervalMs: 150, timeoutMs } });
    await c.connect();
    const openedAt = Date.now();
    // A pong proves the link alive first (pongs count as life; no frame was sent).
    await waitFor(() => c.lastInboundAt > openedAt + 100);
    expect(c.stats().framesReceived).toBe(0);
    const down = waitForEvent<ExchangeClientEvents['down']>(c, 'down', { timeoutMs: 5000 });
    proxy.setBlackHole(true);
    const blackHoleAt = Date.now();
    const [info] = await down;
    const detectedAt = Date.now();
    const silentSince = Math.max(blackHoleAt, c.lastInboundAt);
    expect(info.cause.code).toBe('HEARTBEAT_TIMEOUT');
    expect(info.willReconnect).toBe(false);
    expect(detectedAt - c.lastInboundAt).toBeGreaterThanOrEqual(timeoutMs - 5);
    expect(detectedAt - silentSince).toBeLessThanOrEqual(timeoutMs * 1.1);
    expect(c.stats().heartbeatTimeouts).toBe(1);
    expect(c.state).toBe('closed');
  });

  it('gives up with MAX_RETRIES_EXCEEDED and the attempt count (initial connect, proxy refusing)', async () => {
    proxy.setRefuseNew(true);
    const c = newClient({ maxRetries: 3 });
    const reconnecting: number[] = [];
    c.on('reconnecting', (info) => reconnecting.push(info.delayMs));
    const closed = waitForEvent<ExchangeClientEvents['closed']>(c, 'closed');
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MAX_RETRIES_EXCEEDED', attempts: 4 });
    expect((error as ExchangeConnectionError).cause).toMatchObject({ code: 'CONNECT_FAILED', systemCode: 'ECONNRESET' });
    expect(reconnecting).toEqual([20, 40, 80]);
    expect(proxy.refusedConnections).toBe(4);
    expect((await closed)[0].error).toBe(error);
    expect(c.state).toBe('closed');
  });

  it('gives up with MAX_RETRIES_EXCEEDED when the exchange stays down after a drop', async () => {
    const c = newClient({ url: exchange.url, maxRetries: 2 });
    await c.connect();
    const closed = waitForEvent<ExchangeClientEvents['closed']>(c, 'closed');
    await exchange.stop();
    const [{ error }] = await closed;
    expect(error).toMatchObject({
      code: 'MAX_RETRIES_EXCEEDED',
      attempts: 2,
      cause: expect.objectContaining({ systemCode: 'ECONNREFUSED' }),
    });
  });

  it.each([401, 403])('does not retry an upgrade rejected with %p', async (status) => {
    const rejected: number[] = [];
    await exchange.stop();
    exchange = await TestExchange.start({ port: 0, onEvent: (e) => e.type === 'upgrade-rejected' && rejected.push(e.status) });
    exchange.setUpgradeRejection(status);
    const c = newClient({ url: exchange.url, maxRetries: 5 });
    await expect(c.connect()).rejects.toMatchObject({ code: 'UPGRADE_REJECTED', httpStatus: status, attempts: 1 });
    await sleep(100);
    expect(rejected).toEqual([status]);
  });

  it('retries an upgrade rejected with 503', async () => {
    const rejected: number[] = [];
    await exchange.stop();
    exchange = await TestExchange.start({ port: 0, onEvent: (e) => e.type === 'upgrade-rejected' && rejected.push(e.status) });
    exchange.setUpgradeRejection(503);
    const c = newClient({ url: exchange.url, maxRetries: 2 });
    await expect(c.connect()).rejects.toMatchObject({ code: 'MAX_RETRIES_EXCEEDED', attempts: 3, httpStatus: 503 });
    expect(rejected).toEqual([503, 503, 503]);
  });

  it('fails an in-flight request fast with DISCONNECTED and never resends it', async () => {
    const c = newClient({ baseDelayMs: 50 });
    await c.connect();
    exchange.setResponseDelay(3000);
    const requestsBefore = exchange.counters.requests;
    const startedAt = performance.now();
    const pending = c.request('public/test', { expected_result: 'x' }, { timeoutMs: 10_000 });
    await exchange.waitFor(() => exchange.counters.requests === requestsBefore + 1);
    expect(c.inFlight).toBe(1);
    exchange.terminateAll();
    const error = (await pending.catch((e: unknown) => e)) as ExchangeConnectionError;
    expect(error).toMatchObject({ code: 'DISCONNECTED', method: 'public/test' });
    expect(error.message).not.toContain('expected_result');
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(c.inFlight).toBe(0);

    await waitForEvent(c, 'open');
    exchange.setResponseDelay(0);
    // A resend would go out as soon as the socket opened: one round trip on it proves there was none.
    await c.request('public/get_time');
    expect(exchange.counters.requests).toBe(requestsBefore + 2);
  });

  it('rejects requests while not open with NOT_CONNECTED', async () => {
    const c = newClient({ baseDelayMs: 200 });
    await expect(c.request('public/test')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await c.connect();
    exchange.terminateAll();
    await waitForEvent(c, 'reconnecting');
    await expect(c.request('public/test')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('times a request out with REQUEST_TIMEOUT and counts the late response', async () => {
    const c = newClient();
    await c.connect();
    exchange.setResponseDelay(150);
    await expect(c.request('public/test', undefined, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
    await waitFor(() => c.stats().lateResponses === 1);
    expect(c.stats().malformedFrames).toBe(0);
    expect(c.state).toBe('open');
  });

  it('types JSON-RPC errors through its codec, or as VENUE_ERROR by default', async () => {
    const c = newClient();
    await c.connect();
    await expect(c.request('public/no_such_method')).rejects.toMatchObject({ code: 'VENUE_ERROR', venueCode: -32601 });
    await c.close();
    const mapped = newClient({
      codec: new JsonRpcCodec(
        (venueCode, message, method) => new ExchangeConnectionError('RATE_LIMITED', message, { venueCode, method }),
      ),
    });
    await mapped.connect();
    await expect(mapped.request('public/no_such_method')).rejects.toMatchObject({ code: 'RATE_LIMITED', venueCode: -32601 });
  });

  it('with onMessage, every message goes to it and the notification event never fires (the per-frame fast path)', async () => {
    const sunk: VenueMessage[] = [];
    const emitted: VenueMessage[] = [];
    const c = newClient({ onMessage: (message) => sunk.push(message) });
    c.on('notification', (n) => emitted.push(n));
    await c.connect();
    const channel = 'ticker.BTC-PERPETUAL.100ms';
    await c.request('public/subscribe', { channels: [channel] });
    exchange.publish(channel, 3);
    await waitFor(() => sunk.filter((n) => (n.params as { channel?: string }).channel === channel).length >= 3);
    expect(emitted).toEqual([]);
  });

  it('counts malformed frames, logs them rate-limited and keeps delivering', async () => {
    const c = newClient();
    const malformed: string[] = [];
    const notifications: VenueMessage[] = [];
    c.on('malformed', (info) => malformed.push(info.reason));
    c.on('notification', (n) => notifications.push(n));
    await c.connect();
    const channel = 'ticker.BTC-PERPETUAL.100ms';
    await c.request('public/subscribe', { channels: [channel] });

    for (const kind of ['garbage', 'binary', 'unknown-id', 'wrong-shape'] as const) exchange.sendMalformed(kind);
    await waitFor(() => malformed.length === 4);
    expect(malformed).toEqual(['unparsable', 'binary', 'unknown-id', 'wrong-shape']);
    // Deep nesting is valid JSON-RPC, but no venue nests 10,000 levels: dropped before any listener.
    exchange.sendMalformed('deep-nesting');
    exchange.publish(channel, 3);
    const onChannel = () => notifications.filter((n) => (n.params as { channel?: string }).channel === channel);
    await waitFor(() => onChannel().length >= 3);
    expect(onChannel().every((n) => !Array.isArray((n.params as { data?: unknown }).data))).toBe(true);
    expect(c.state).toBe('open');
    expect(c.stats()).toMatchObject({
      malformedFrames: 5,
      malformedByReason: { unparsable: 1, binary: 1, 'unknown-id': 1, 'wrong-shape': 1, 'too-deep': 1 },
    });
    await expect(c.request('public/test')).resolves.toBeDefined();
    // Rate-limited: only the first of these five is logged.
    expect(logger.lines.filter((l) => l.message === 'Unusable frame ignored')).toHaveLength(1);
    for (let i = 0; i < 200; i++) exchange.sendMalformed('garbage');
    await waitFor(() => c.stats().malformedFrames === 205);
    expect(logger.lines.filter((l) => l.message === 'Unusable frame ignored')).toHaveLength(3);
    expect(JSON.stringify(logger.lines)).not.toContain('jsonrpc');
  });

  it('classifies a frame above maxPayload as PAYLOAD_TOO_LARGE and reconnects', async () => {
    const c = newClient({ maxPayload: 4096 });
    await c.connect();
    const down = waitForEvent<ExchangeClientEvents['down']>(c, 'down');
    exchange.sendOversized(64 * 1024);
    const [info] = await down;
    expect(info.cause.code).toBe('PAYLOAD_TOO_LARGE');
    expect(info.willReconnect).toBe(true);
    await waitForEvent(c, 'open');
    expect(c.cycle).toBe(2);
  });

  it('drops a frame between frameLimits.maxBytes and maxPayload as too-large: counted, logged, the socket lives on', async () => {
    const c = newClient({ maxPayload: 64 * 1024, frameLimits: { maxBytes: 16 * 1024 } });
    const notifications: VenueMessage[] = [];
    const downs: unknown[] = [];
    c.on('notification', (n) => notifications.push(n));
    c.on('down', (info) => downs.push(info));
    await c.connect();
    exchange.sendOversized(16 * 1024); // at the cap: delivered
    exchange.sendOversized(32 * 1024); // above the cap, below maxPayload: dropped
    await c.request('public/test'); // frames arrive in order: both were handled before this answer
    expect(notifications).toHaveLength(1);
    expect(c.stats()).toMatchObject({ malformedFrames: 1, malformedByReason: { 'too-large': 1 } });
    expect(logger.lines.filter((l) => l.message === 'Unusable frame ignored')).toEqual([
      expect.objectContaining({ level: 'warn', context: expect.objectContaining({ reason: 'too-large', count: 1 }) }),
    ]);
    expect(downs).toEqual([]);
    expect(c.cycle).toBe(1);
  });

  it('isolates a throwing notification listener: logged, other listeners still served', async () => {
    const c = newClient();
    const seen: unknown[] = [];
    c.on('notification', () => {
      throw new Error('consumer bug');
    });
    c.on('notification', (n) => seen.push(n.method));
    await c.connect();
    const channel = 'ticker.BTC-PERPETUAL.100ms';
    await c.request('public/subscribe', { channels: [channel] });
    exchange.publish(channel, 2);
    await waitFor(() => seen.length >= 2);
    expect(c.state).toBe('open');
    expect(c.cycle).toBe(1);
    expect(c.stats().listenerErrors).toBeGreaterThanOrEqual(2);
    expect(logger.lines.some((l) => l.level === 'error' && l.message.includes('"notification" listener threw'))).toBe(true);
  });

  it('isolates a lone throwing notification listener too (the one-listener fast path)', async () => {
    const c = newClient();
    let calls = 0;
    c.on('notification', () => {
      calls += 1;
      throw new Error('consumer bug');
    });
    await c.connect();
    const channel = 'ticker.BTC-PERPETUAL.100ms';
    await c.request('public/subscribe', { channels: [channel] });
    exchange.publish(channel, 3);
    await waitFor(() => calls >= 3);
    expect(c.state).toBe('open');
    expect(c.stats().listenerErrors).toBe(3);
    expect(await c.request('public/test')).toMatchObject({ version: expect.any(String) });
    expect(logger.lines.filter((l) => l.level === 'error' && l.message.includes('"notification" listener threw'))).toHaveLength(
      1,
    );
  });

  it('reads the clock once per socket read, not once per frame', async () => {
    let clockReads = 0;
    let time = 1_000_000;
    const c = newClient({
      now: () => {
        clockReads += 1;
        return time;
      },
    });
    await c.connect();
    // What one socket read of a backlog hands over: many frames in one turn, emitted on the client's
    // own ws socket (read through a private field: this test only).
    const ws = (c as unknown as { current: { ws: { emit(event: string, ...args: unknown[]): boolean } } }).current.ws;
    const frame = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: { channel: 'x', data: 1 } }));
    // The stamp lasts one turn: start from a fresh one (a turn boundary is the condition, not time).
    await nextTurn();
    const readsBefore = clockReads;
    const framesBefore = c.stats().framesReceived;
    time += 500;
    for (let i = 0; i < 50; i += 1) ws.emit('message', frame, false);
    expect(c.stats().framesReceived).toBe(framesBefore + 50);
    expect(clockReads).toBe(readsBefore + 1);
    expect(c.lastInboundAt).toBe(time);
    // The next read (a later turn) is stamped afresh.
    await nextTurn();
    time += 500;
    ws.emit('message', frame, false);
    expect(clockReads).toBe(readsBefore + 2);
    expect(c.lastInboundAt).toBe(time);
  });

  it('treats an exception in its own frame path as CLIENT_FAULT: socket dead, request rejected, reconnects', async () => {
    const c = newClient({
      codec: new JsonRpcCodec(() => {
        throw new Error('adapter bug');
      }),
    });
    await c.connect();
    const down = waitForEvent<ExchangeClientEvents['down']>(c, 'down');
    await expect(c.request('public/no_such_method')).rejects.toMatchObject({ code: 'CLIENT_FAULT' });
    const [info] = await down;
    expect(info.cause.code).toBe('CLIENT_FAULT');
    await waitForEvent(c, 'open');
    await expect(c.request('public/test')).resolves.toBeDefined();
  });

  it('survives a throwing down/state listener', async () => {
    const c = newClient();
    c.on('down', () => {
      throw new Error('consumer bug in down');
    });
    c.on('state', () => {
      throw new Error('consumer bug in state');
    });
    await c.connect();
    exchange.terminateAll();
    await waitForEvent(c, 'open');
    expect(c.cycle).toBe(2);
  });
});

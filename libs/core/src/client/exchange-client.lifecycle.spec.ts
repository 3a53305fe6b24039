import { TestExchange } from '@exchange-connection/testkit';
import { FaultProxy } from '@exchange-connection/testkit';
import { resourceSnapshot, settleNoResourceGrowth } from '../../../../test/support/open-handles.js';
import { waitFor, waitForEvent } from '../../../../test/support/wait-for.js';
import type { ClientLogger, ExchangeClientEvents, ExchangeClientOptions } from './client-types.js';
import { establishConnection } from './establish-connection.js';
import { ExchangeConnectionError } from './errors.js';
import { ExchangeClient } from './exchange-client.js';
import { noJitter } from './jitter.js';

const quiet: ClientLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const EVENTS: Array<keyof ExchangeClientEvents> = [
  'open',
  'notification',
  'down',
  'reconnecting',
  'closed',
  'malformed',
  'state',
];

function listenerCounts(client: ExchangeClient): number[] {
  return EVENTS.map((event) => client.listenerCount(event));
}

describe('ExchangeClient lifecycle', () => {
  let exchange: TestExchange;
  let clients: ExchangeClient[] = [];

  beforeEach(async () => {
    exchange = await TestExchange.start({ port: 0, feedIntervalMs: 0 });
  });

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
    await exchange.stop();
  });

  function newClient(overrides: Partial<ExchangeClientOptions> = {}): ExchangeClient {
    const client = new ExchangeClient({ url: exchange.url, baseDelayMs: 0, jitter: noJitter, logger: quiet, ...overrides });
    clients.push(client);
    return client;
  }

  it('close() is idempotent, emits closed once, cancels in-flight requests and is terminal', async () => {
    const client = newClient({ heartbeat: { intervalMs: 100, timeoutMs: 1000 } });
    const closed: Array<ExchangeClientEvents['closed'][0]> = [];
    client.on('closed', (info) => closed.push(info));
    await client.connect();
    exchange.setResponseDelay(5000);
    const pending = client.request('public/test').catch((e: unknown) => e);
    await Promise.all([client.close(), client.close()]);
    await client.close();
    await expect(pending).resolves.toMatchObject({ code: 'CLOSED_BY_USER' });
    expect(closed).toEqual([{}]);
    expect(client.state).toBe('closed');
    await expect(client.connect()).rejects.toMatchObject({ code: 'CLOSED_BY_USER' });
    await expect(client.request('public/test')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await exchange.waitFor(() => exchange.connections().length === 0);
  });

  it('concurrent connect() calls share one socket', async () => {
    const client = newClient({ heartbeat: false });
    await Promise.all([client.connect(), client.connect(), client.connect()]);
    expect(exchange.counters.connections).toBe(1);
    expect(client.cycle).toBe(1);
  });

  it('leaves no handle behind after close()', async () => {
    const before = resourceSnapshot();
    const client = newClient({ heartbeat: { intervalMs: 50, timeoutMs: 500 }, requestTimeoutMs: 60_000 });
    await client.connect();
    await client.request('public/test');
    await client.close();
    await settleNoResourceGrowth(before);
  });

  it('close() during a backoff wait stops at once and rejects connect()', async () => {
    await exchange.stop();
    const before = resourceSnapshot();
    const client = newClient({ baseDelayMs: 10_000, heartbeat: false });
    const connecting = client.connect();
    await waitForEvent(client, 'reconnecting');
    const startedAt = performance.now();
    await client.close();
    expect(performance.now() - startedAt).toBeLessThan(500);
    await expect(connecting).rejects.toMatchObject({ code: 'CLOSED_BY_USER' });
    await settleNoResourceGrowth(before);
  });

  it('close() terminates when the peer never answers the close handshake', async () => {
    const proxy = await FaultProxy.start({ target: { port: exchange.port } });
    try {
      const client = newClient({ url: proxy.url(), closeTimeoutMs: 200, heartbeat: false });
      await client.connect();
      proxy.setBlackHole(true);
      const startedAt = performance.now();
      await client.close();
      const took = performance.now() - startedAt;
      expect(took).toBeGreaterThanOrEqual(190);
      expect(took).toBeLessThan(1000);
    } finally {
      await proxy.stop();
    }
  });

  it('kill() while connecting ends the client with that cause', async () => {
    await exchange.stop();
    const client = newClient({ baseDelayMs: 10_000, heartbeat: false });
    const connecting = client.connect();
    await waitForEvent(client, 'reconnecting');
    const cause = new ExchangeConnectionError('CIRCUIT_OPEN', 'supervisor gave up');
    client.kill(cause);
    await expect(connecting).rejects.toBe(cause);
    expect(client.state).toBe('closed');
  });

  it('200 drop/reconnect cycles leak no socket, listener or timer', async () => {
    const before = resourceSnapshot();
    const client = newClient({ heartbeat: { intervalMs: 1000, timeoutMs: 5000 }, maxRetries: 3 });
    const baseline = listenerCounts(client);
    await client.connect();
    for (let cycle = 0; cycle < 200; cycle++) {
      const reopened = waitForEvent(client, 'open', { timeoutMs: 5000, message: `open after drop ${cycle}` });
      if (cycle % 2 === 0) exchange.terminateAll();
      else exchange.closeAll(1001);
      await reopened;
    }
    expect(client.cycle).toBe(201);
    expect(client.stats().reconnects).toBe(200);
    expect(listenerCounts(client)).toEqual(baseline);
    await waitFor(() => exchange.connections().length === 1);
    await expect(client.request('public/test')).resolves.toBeDefined();
    await client.close();
    expect(listenerCounts(client)).toEqual(baseline);
    await settleNoResourceGrowth(before);
  });

  it('200 connect/close cycles of fresh clients leak nothing', async () => {
    const before = resourceSnapshot();
    for (let cycle = 0; cycle < 200; cycle++) {
      const client = new ExchangeClient({ url: exchange.url, logger: quiet });
      await client.connect();
      await client.close();
      expect(client.listenerCount('open')).toBe(0);
    }
    await exchange.waitFor(() => exchange.connections().length === 0);
    await settleNoResourceGrowth(before);
  });

  it('establishConnection can be cancelled through its signal', async () => {
    await exchange.stop();
    const controller = new AbortController();
    const startedAt = performance.now();
    // The first attempt fails (refused); the abort lands during the 10 s backoff wait.
    const attempt = establishConnection({
      url: exchange.url,
      baseDelayMs: 10_000,
      signal: controller.signal,
      onRetry: () => setImmediate(() => controller.abort()),
    });
    await expect(attempt).rejects.toMatchObject({ code: 'CLOSED_BY_USER' });
    expect(performance.now() - startedAt).toBeLessThan(1000);
    const cancelled = establishConnection({ url: exchange.url, baseDelayMs: 10_000, signal: controller.signal });
    await expect(cancelled).rejects.toMatchObject({ code: 'CLOSED_BY_USER' });
  });

  it('prepareUrl: fetched at the start of every connect loop, aborted by close, a rejection ends the client typed', async () => {
    const signals: AbortSignal[] = [];
    const prepared = newClient({
      url: 'ws://127.0.0.1:1/unused',
      prepareUrl: (signal) => {
        signals.push(signal);
        return Promise.resolve(exchange.url);
      },
    });
    await prepared.connect();
    exchange.terminateAll();
    await waitFor(() => signals.length === 2 && prepared.state === 'open');
    expect(exchange.connections()).toHaveLength(1);

    // A close while the URL is being prepared aborts it and opens nothing.
    let seen: AbortSignal | undefined;
    const pending = newClient({
      prepareUrl: (signal) => {
        seen = signal;
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    });
    const connecting = pending.connect().catch((e: unknown) => e);
    await waitFor(() => seen !== undefined);
    await pending.close();
    expect(seen?.aborted).toBe(true);
    await expect(connecting).resolves.toMatchObject({ code: 'CLOSED_BY_USER' });

    const refused = newClient({
      reconnectOnError: false,
      prepareUrl: () => Promise.reject(new ExchangeConnectionError('INVALID_CREDENTIALS', 'token refused')),
    });
    await expect(refused.connect()).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(refused.state).toBe('closed');
  });
});

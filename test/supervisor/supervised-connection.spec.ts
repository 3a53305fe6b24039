import { ExchangeConnectionError, type SupervisedConnection } from '@exchange-connection/core';
import { FaultProxy, type TestExchange } from '@exchange-connection/testkit';
import { config, firstValueFrom, filter, take, toArray } from 'rxjs';
import { sleep, waitFor } from '../support/wait-for.js';
import { CREDENTIALS, methodCount, startExchange, supervised } from './fixtures.js';

const TICKER = 'ticker.BTC-PERPETUAL.100ms';
const BOOK = 'book.BTC-PERPETUAL.100ms';
const PRIVATE = 'user.orders.BTC-PERPETUAL.raw';

describe('SupervisedConnection (layer 2) against the test exchange', () => {
  let exchange: TestExchange;
  let connection: SupervisedConnection | undefined;

  beforeEach(async () => {
    exchange = await startExchange();
  });

  afterEach(async () => {
    await connection?.close();
    connection = undefined;
    await exchange.stop();
  });

  async function readyWith(channels: string[], overrides = {}) {
    connection = supervised(exchange.url, overrides);
    const received = new Map<string, number>();
    const streams = channels.map((channel) =>
      connection!.channel$(channel).subscribe({
        next: () => received.set(channel, (received.get(channel) ?? 0) + 1),
        error: (e) => received.set(`${channel}:error:${String(e)}`, 1),
        complete: () => received.set(`${channel}:complete`, 1),
      }),
    );
    connection.start();
    await connection.whenReady(5_000);
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === channels.length, 3_000);
    return { connection, received, streams };
  }

  it('restores auth → heartbeat → cancel-on-disconnect → subscriptions exactly once after a killed socket, and streams keep flowing', async () => {
    const { connection: c, received } = await readyWith([TICKER, BOOK, PRIVATE]);
    const firstConnection = exchange.connections()[0]!;
    expect(firstConnection.authenticated).toBe(true);
    exchange.resetCounters();

    exchange.terminateAll();
    await firstValueFrom(c.state$.pipe(filter((s) => s === 'reconnecting')));
    await c.whenReady(5_000);
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === 3, 3_000);

    expect(exchange.counters.connections).toBe(1);
    expect(methodCount(exchange, 'public/auth')).toBe(1);
    expect(methodCount(exchange, 'public/set_heartbeat')).toBe(1);
    expect(methodCount(exchange, 'private/enable_cancel_on_disconnect')).toBe(1);
    const subscribeCalls = exchange.requestLog.filter((r) => r.method.endsWith('/subscribe'));
    expect(subscribeCalls.length).toBe(2); // public and private split, one call each
    expect(exchange.counters.subscribedChannels).toBe(3); // each channel once
    const order = exchange.requestLog.map((r) => r.method).filter((m) => m !== 'public/test' && m !== 'public/hello');
    expect(order.slice(0, 3)).toEqual(['public/auth', 'public/set_heartbeat', 'private/enable_cancel_on_disconnect']);
    const snapshot = exchange.connections()[0]!;
    expect(snapshot.cancelOnDisconnect.enabled).toBe(true);
    expect(snapshot.heartbeatIntervalSec).toBe(0.5);
    expect([...snapshot.subscriptions].sort()).toEqual([BOOK, TICKER, PRIVATE].sort());

    const before = received.get(TICKER) ?? 0;
    await exchange.waitFor(() => (received.get(TICKER) ?? 0) > before + 2, 3_000);
    expect([...received.keys()].some((k) => k.includes(':error:') || k.endsWith(':complete'))).toBe(false);
    expect(c.stats().reconnects).toBe(1);
  });

  it("logs both layers' lines of one session under one correlationId, as structured fields", async () => {
    const records: Array<{ level: string; message: string; context: Record<string, unknown> }> = [];
    const keep = (level: string) => (message: string, context?: Record<string, unknown>) =>
      void records.push({ level, message, context: context ?? {} });
    const logger = { debug: keep('debug'), log: keep('log'), warn: keep('warn'), error: keep('error') };
    const { connection: c } = await readyWith([TICKER], { logger });
    exchange.terminateAll();
    await firstValueFrom(c.state$.pipe(filter((s) => s === 'reconnecting')));
    await c.whenReady(5_000);
    const first = { connection: 'deribit', cycle: 1, correlationId: 'deribit/1' };
    expect(records.find((r) => r.message === 'Socket down')?.context).toMatchObject({ ...first, layer: 'client' });
    expect(records.find((r) => r.message.startsWith('down: '))?.context).toMatchObject({ ...first, layer: 'supervisor' });
    const second = records.filter((r) => r.context.correlationId === 'deribit/2');
    expect(second.map((r) => r.context.layer)).toEqual(expect.arrayContaining(['client', 'supervisor']));
    expect(second.every((r) => r.context.connection === 'deribit' && r.context.cycle === 2)).toBe(true);
  });

  it('exactly one layer reconnects: one new socket per failure, never two', async () => {
    const { connection: c } = await readyWith([TICKER]);
    for (let i = 1; i <= 3; i++) {
      exchange.resetCounters();
      exchange.closeAll(1011, 'restart');
      await firstValueFrom(c.state$.pipe(filter((s) => s !== 'ready')));
      await c.whenReady(5_000);
      // A window in which a second layer that wanted to reconnect would show itself.
      await sleep(300);
      expect(exchange.counters.connections).toBe(1);
      expect(exchange.connections()).toHaveLength(1);
    }
    expect(c.stats().reconnects).toBe(3);
  });

  it('rebuilds a half-open link (proxy black-hole) through the sweep within the silence bound', async () => {
    const proxy = await FaultProxy.start({ target: { port: exchange.port } });
    try {
      const silenceTimeoutMs = 1_000;
      connection = supervised(proxy.url(), { silenceTimeoutMs });
      connection.start();
      const sub = connection.channel$(TICKER).subscribe();
      await connection.whenReady(5_000);
      const c = connection;
      const sweep = setInterval(() => c.sweep(), 50);
      try {
        const blackHoledAt = Date.now();
        proxy.setBlackHole(true);
        await firstValueFrom(c.state$.pipe(filter((s) => s === 'reconnecting')));
        const detectedAfter = Date.now() - blackHoledAt;
        expect(detectedAfter).toBeLessThanOrEqual(silenceTimeoutMs * 1.1 + 100);
        expect(c.stats().lastError?.code).toBe('HEARTBEAT_TIMEOUT');
        proxy.setBlackHole(false);
        await c.whenReady(5_000);
      } finally {
        clearInterval(sweep);
        sub.unsubscribe();
      }
    } finally {
      await connection?.close();
      await proxy.stop();
    }
  });

  it('fails an in-flight request fast with DISCONNECTED and never replays it', async () => {
    const { connection: c } = await readyWith([]);
    exchange.setResponseDelay(1_500);
    const started = Date.now();
    const inFlight = c.request(
      'private/buy',
      { instrument_name: 'BTC-PERPETUAL', amount: 10, type: 'market' },
      { timeoutMs: 5_000 },
    );
    await exchange.waitFor(() => methodCount(exchange, 'private/buy') === 1, 2_000);
    exchange.terminateAll();
    await expect(inFlight).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(Date.now() - started).toBeLessThan(1_000);
    exchange.setResponseDelay(0);
    await c.whenReady(5_000);
    // A replay would go out on the new session before this round trip comes back.
    await c.request('public/get_time');
    expect(methodCount(exchange, 'private/buy')).toBe(1);
  });

  it('rejects a request while not ready with NOT_CONNECTED instead of queueing it', async () => {
    connection = supervised(exchange.url);
    await expect(connection.request('public/get_time')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('opens the circuit at once on invalid credentials, with no retry storm', async () => {
    exchange.setRejectAuth(true);
    connection = supervised(exchange.url, { rebuild: { baseDelayMs: 10, maxBackoffMs: 20 } });
    connection.start();
    const error = await connection.whenReady(5_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExchangeConnectionError);
    expect((error as ExchangeConnectionError).code).toBe('CIRCUIT_OPEN');
    expect(connection.state).toBe('circuit-open');
    expect(connection.stats().lastError?.code).toBe('INVALID_CREDENTIALS');
    await sleep(500); // a window in which no retry may happen
    expect(methodCount(exchange, 'public/auth')).toBe(1);
    expect(exchange.counters.connections).toBe(1);
  });

  it('opens the circuit after N consecutive failed rebuilds and reports circuit-open', async () => {
    const port = exchange.port;
    const { connection: c } = await readyWith([], { circuitBreaker: { failureThreshold: 3, cooldownMs: 60_000 } });
    await exchange.stop();
    await firstValueFrom(c.state$.pipe(filter((s) => s === 'circuit-open')));
    expect(c.stats().consecutiveFailures).toBe(3);
    expect(c.stats().circuit).toBe('open');
    exchange = await startExchange({ port });
  });

  it("the circuit's cool-down never builds while the breaker refuses the attempt", async () => {
    // A clock the breaker reads that stands still: the cool-down timer fires on real time, but
    // tryAttempt() says the cool-down is not over, so nothing may be built until the clock moves.
    let time = 1_700_000_000_000;
    let clockReads = 0;
    const now = () => {
      clockReads += 1;
      return time;
    };
    exchange.setRejectAuth(true);
    connection = supervised(exchange.url, { now, circuitBreaker: { failureThreshold: 4, cooldownMs: 50 } });
    connection.start();
    const c = connection;
    await firstValueFrom(c.state$.pipe(filter((s) => s === 'circuit-open')));
    exchange.setRejectAuth(false);
    // The cool-down handler reads the clock each time it fires: three refused firings.
    const readsAtOpen = clockReads;
    await exchange.waitFor(() => clockReads >= readsAtOpen + 3, 3_000);
    expect(methodCount(exchange, 'public/auth')).toBe(1);
    expect(exchange.counters.connections).toBe(1);
    expect(c.state).toBe('circuit-open');
    // Once the breaker's clock says the cool-down is over, the next firing half-opens and builds.
    time += 50;
    await exchange.waitFor(() => c.state === 'ready', 5_000);
    expect(methodCount(exchange, 'public/auth')).toBe(2);
    expect(c.stats().circuit).toBe('closed');
  });

  it('re-authenticates after a reconnect when tokens expired', async () => {
    const { connection: c } = await readyWith([PRIVATE]);
    exchange.expireTokens();
    exchange.resetCounters();
    exchange.terminateAll();
    await firstValueFrom(c.state$.pipe(filter((s) => s === 'reconnecting')));
    await c.whenReady(5_000);
    expect(methodCount(exchange, 'public/auth')).toBe(1);
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.includes(PRIVATE) === true, 3_000);
  });

  it('refreshes the token before expiry without reconnecting', async () => {
    await exchange.stop();
    exchange = await startExchange({ tokenTtlSec: 1 });
    const { connection: c } = await readyWith([]);
    await exchange.waitFor(() => exchange.counters.refresh >= 1, 3_000);
    expect(exchange.counters.connections).toBe(1);
    expect(c.stats().reconnects).toBe(0);
    expect(c.state).toBe('ready');
  });

  it('subscribes on the first observer, unsubscribes after the last, and coalesces a burst into one call', async () => {
    const { connection: c } = await readyWith([]);
    exchange.resetCounters();
    const subs = ['ETH-PERPETUAL', 'BTC-PERPETUAL'].flatMap((i) =>
      ['100ms', 'agg2'].map((iv) => c.channel$(`ticker.${i}.${iv}`).subscribe()),
    );
    const twin = c.channel$('ticker.BTC-PERPETUAL.100ms').subscribe();
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === 4, 3_000);
    expect(exchange.counters.subscribeCalls).toBe(1);
    subs.forEach((s) => s.unsubscribe());
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === 1, 3_000);
    expect(exchange.connections()[0]!.subscriptions).toEqual(['ticker.BTC-PERPETUAL.100ms']);
    twin.unsubscribe();
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === 0, 3_000);
  });

  it('on a book sequence gap, emits a gap event, resubscribes, and delivers only a consistent book', async () => {
    const { connection: c } = await readyWith([]);
    const books: Array<{ change_id: number; prev_change_id?: number; type: string }> = [];
    const sub = c.channel$<{ change_id: number; prev_change_id?: number; type: string }>(BOOK).subscribe((b) => books.push(b));
    const gap = firstValueFrom(c.events$.pipe(filter((e) => e.type === 'gap')));
    await exchange.waitFor(() => books.length >= 3, 3_000);
    exchange.resetCounters();
    exchange.injectBookGap(BOOK);
    expect(await gap).toMatchObject({ type: 'gap', channel: BOOK });
    await exchange.waitFor(() => books.filter((b) => b.type === 'snapshot').length >= 2, 3_000);
    expect(exchange.counters.unsubscribeCalls).toBe(1);
    expect(exchange.counters.subscribeCalls).toBe(1);
    // Every delivered change continues the previous message: the gap never reached the consumer.
    for (let i = 1; i < books.length; i++) {
      if (books[i]!.type === 'change') expect(books[i]!.prev_change_id).toBe(books[i - 1]!.change_id);
    }
    expect(c.stats().gaps).toBe(1);
    sub.unsubscribe();
  });

  it('a consumer joining a live book gets a fresh snapshot first, never a change it cannot chain', async () => {
    const { connection: c } = await readyWith([]);
    type Book = { change_id: number; prev_change_id?: number; type: string };
    const first: Book[] = [];
    const late: Book[] = [];
    const s1 = c.channel$<Book>(BOOK).subscribe((b) => first.push(b));
    await exchange.waitFor(() => first.filter((b) => b.type === 'change').length >= 3, 3_000);
    exchange.resetCounters();
    const s2 = c.channel$<Book>(BOOK).subscribe((b) => late.push(b));
    await exchange.waitFor(() => late.filter((b) => b.type === 'change').length >= 2, 3_000);
    expect(late[0]?.type).toBe('snapshot');
    for (let i = 1; i < late.length; i++) {
      if (late[i]!.type === 'change') expect(late[i]!.prev_change_id).toBe(late[i - 1]!.change_id);
    }
    // The snapshot came from resubscribing that channel alone; the first consumer's book stays whole.
    expect(exchange.counters.unsubscribeCalls).toBe(1);
    expect(exchange.counters.subscribeCalls).toBe(1);
    for (let i = 1; i < first.length; i++) {
      if (first[i]!.type === 'change') expect(first[i]!.prev_change_id).toBe(first[i - 1]!.change_id);
    }
    expect(c.stats().gaps).toBe(0);
    s1.unsubscribe();
    s2.unsubscribe();
  });

  it('isolates a consumer that throws: other consumers and the connection carry on', async () => {
    const { connection: c } = await readyWith([]);
    const previous = config.onUnhandledError;
    const reported: unknown[] = [];
    config.onUnhandledError = (e) => reported.push(e);
    let thrown = 0;
    try {
      const bad = c.channel$(TICKER).subscribe(() => {
        thrown += 1;
        throw new Error('consumer bug');
      });
      const good = await firstValueFrom(c.channel$(TICKER).pipe(take(3), toArray()));
      expect(good).toHaveLength(3);
      expect(c.state).toBe('ready');
      bad.unsubscribe();
      // RxJS reports a consumer's throw on a later macrotask, to config.onUnhandledError: every
      // one must have landed before the handler is restored.
      await waitFor(() => thrown > 0 && reported.length === thrown, { message: 'every throw reported' });
      expect(reported[0]).toMatchObject({ message: 'consumer bug' });
      expect(c.stats().reconnects).toBe(0);
    } finally {
      config.onUnhandledError = previous;
    }
  });

  it('close() completes streams, rejects whenReady, releases the socket, and is idempotent', async () => {
    const { connection: c } = await readyWith([TICKER]);
    let completed = false;
    c.channel$(TICKER).subscribe({ complete: () => (completed = true) });
    await Promise.all([c.close(), c.close()]);
    expect(c.state).toBe('closed');
    expect(completed).toBe(true);
    await expect(c.whenReady(100)).rejects.toMatchObject({ code: 'CLOSED_BY_USER' });
    await exchange.waitFor(() => exchange.connections().length === 0, 2_000);
    expect(exchange.cancelOnDisconnectFirings.length).toBe(1);
    void CREDENTIALS;
  });
});

describe('SupervisedConnection: channels the venue refuses', () => {
  it('errors only the refused channel with CHANNEL_REFUSED; the session and other channels live on', async () => {
    const exchange = await startExchange();
    const connection = supervised(exchange.url, { session: { heartbeatIntervalSec: 0.5 } }); // no credentials
    try {
      const errors: unknown[] = [];
      connection.channel$('user.orders.BTC-PERPETUAL.raw').subscribe({ error: (e) => errors.push(e) });
      connection.channel$('ticker.NOT-AN-INSTRUMENT.100ms').subscribe({ error: (e) => errors.push(e) });
      const ticks: unknown[] = [];
      connection.channel$(TICKER).subscribe((t) => ticks.push(t));
      connection.start();
      await connection.whenReady(5_000);
      await exchange.waitFor(() => errors.length === 2 && ticks.length > 2, 3_000);
      expect(errors).toEqual([
        expect.objectContaining({ code: 'CHANNEL_REFUSED' }),
        expect.objectContaining({ code: 'CHANNEL_REFUSED' }),
      ]);
      expect(connection.state).toBe('ready');
      expect(connection.stats()).toMatchObject({ reconnects: 0, subscriptions: 1, sessionSubscriptions: 1 });
    } finally {
      await connection.close();
      await exchange.stop();
    }
  });
});

describe('SupervisedConnection configuration', () => {
  const URL = 'ws://127.0.0.1:1/ws/api/v2';
  const TOO_LONG = 9_999_999_999; // ~115 days: a Node timer fires it after 1 ms

  it.each([
    ['silenceTimeoutMs', { silenceTimeoutMs: TOO_LONG }],
    ['silenceTimeoutMs', { silenceTimeoutMs: 0 }],
    ['closeTimeoutMs', { closeTimeoutMs: TOO_LONG }],
    ['rebuild.baseDelayMs', { rebuild: { baseDelayMs: TOO_LONG } }],
    ['rebuild.maxBackoffMs', { rebuild: { maxBackoffMs: -1 } }],
    ['circuitBreaker.cooldownMs', { circuitBreaker: { cooldownMs: TOO_LONG } }],
    ['circuitBreaker.cooldownMs', { circuitBreaker: { cooldownMs: 0 } }],
    ['circuitBreaker.failureThreshold', { circuitBreaker: { failureThreshold: 0 } }],
    ['requestTimeoutMs', { client: { requestTimeoutMs: TOO_LONG } }],
    ['connectTimeoutMs', { client: { connectTimeoutMs: TOO_LONG } }],
    ['heartbeat.timeoutMs', { client: { heartbeat: { intervalMs: 1_000, timeoutMs: TOO_LONG } } }],
  ] as const)('refuses a bad %s with INVALID_CONFIG naming it', (name, overrides) => {
    expect(() => supervised(URL, overrides)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(name) }),
    );
  });

  it('refuses a whenReady timeout a timer cannot hold', async () => {
    const connection = supervised(URL);
    await expect(connection.whenReady(TOO_LONG)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await connection.close();
  });

  it('fails at construction, naming the setting, when its client settings are invalid', () => {
    expect(() => supervised('ws://127.0.0.1:1/ws/api/v2', { client: { heartbeat: { intervalMs: 0, timeoutMs: 100 } } })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('heartbeat.intervalMs') }),
    );
    expect(() => supervised('http://127.0.0.1:1')).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

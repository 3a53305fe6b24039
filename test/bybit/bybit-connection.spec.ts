import { ExchangeConnectionError, SupervisedConnection, type ExchangeConnection } from '@exchange-connection/core';
import type { BybitTestExchange } from '@exchange-connection/testkit';
import { firstValueFrom, filter, type Subscription } from 'rxjs';
import { waitFor } from '../support/wait-for.js';
import { AuthRecorder, bybitOptions, shardedBybit, startBybit, supervisedBybit } from './bybit-fixtures.js';

interface Message {
  topic: string;
  type?: string;
  data: unknown;
}

describe('Bybit v5 over the supervisor, against the Bybit test exchange', () => {
  let exchange: BybitTestExchange;
  let connection: (ExchangeConnection & { close(): Promise<void>; start(): void }) | undefined;
  const streams: Subscription[] = [];

  beforeEach(async () => {
    exchange = await startBybit({ symbols: { spot: SYMBOLS, linear: SYMBOLS } });
  });

  afterEach(async () => {
    for (const s of streams.splice(0)) s.unsubscribe();
    await connection?.close();
    connection = undefined;
    await exchange.stop();
  });

  const SYMBOLS = Array.from({ length: 30 }, (_, i) => `S${String(i).padStart(2, '0')}USDT`);

  function watch(c: ExchangeConnection, topics: readonly string[]): { messages: Map<string, Message[]>; ends: string[] } {
    const messages = new Map<string, Message[]>();
    const ends: string[] = [];
    for (const topic of topics) {
      streams.push(
        c.channel$<Message>(topic).subscribe({
          next: (m) => messages.set(topic, [...(messages.get(topic) ?? []), m]),
          error: (e: Error) => ends.push(`${topic} error ${e.message}`),
          complete: () => ends.push(`${topic} complete`),
        }),
      );
    }
    return { messages, ends };
  }

  it('public linear: tickers, orderbook and publicTrade flow, each message whole (topic, type, data)', async () => {
    const c = supervisedBybit(exchange, 'linear');
    connection = c;
    const topics = ['tickers.S00USDT', 'orderbook.50.S00USDT', 'publicTrade.S00USDT'];
    const { messages, ends } = watch(c, topics);
    c.start();
    await c.whenReady(5_000);
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === 3, 3_000);
    for (const topic of topics) exchange.publish('linear', topic, 2);
    await waitFor(() => topics.every((t) => (messages.get(t)?.length ?? 0) >= 2), { timeoutMs: 3_000 });
    expect(messages.get('orderbook.50.S00USDT')?.[0]).toMatchObject({ topic: 'orderbook.50.S00USDT', type: 'snapshot' });
    expect(messages.get('orderbook.50.S00USDT')?.[1]).toMatchObject({ type: 'delta' });
    expect(messages.get('tickers.S00USDT')?.[0]).toMatchObject({ topic: 'tickers.S00USDT', type: 'snapshot' });
    expect(ends).toEqual([]);
    expect(c.stats()).toMatchObject({ state: 'ready', subscriptions: 3, sessionSubscriptions: 3, malformedFrames: 0 });
  });

  it('spot: 25 topics go in requests of at most 10 args, each topic once', async () => {
    const c = supervisedBybit(exchange, 'spot');
    connection = c;
    const topics = SYMBOLS.slice(0, 25).map((s) => `tickers.${s}`);
    const { ends } = watch(c, topics);
    c.start();
    await c.whenReady(5_000);
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === 25, 3_000);
    expect(exchange.counters).toMatchObject({ subscribeCalls: 3, subscribeFailures: 0, subscribedTopics: 25 });
    expect(ends).toEqual([]);
  });

  it('an unknown topic is refused alone; the others of its request are subscribed', async () => {
    const c = supervisedBybit(exchange, 'linear');
    connection = c;
    const { ends } = watch(c, ['tickers.S00USDT', 'tickers.NOPEUSDT', 'publicTrade.S01USDT']);
    c.start();
    await c.whenReady(5_000);
    await waitFor(() => ends.length === 1, { timeoutMs: 3_000 });
    expect(ends[0]).toMatch(/^tickers\.NOPEUSDT error .*did not subscribe/);
    expect([...(exchange.connections()[0]?.subscriptions ?? [])].sort()).toEqual(['publicTrade.S01USDT', 'tickers.S00USDT']);
  });

  it('private: auth, then order/execution/position/wallet; a rebuild authenticates again with a fresh expires', async () => {
    const recorder = new AuthRecorder();
    const options = bybitOptions(exchange, 'private', {}, { market: 'private', maxActiveTimeSec: 60 });
    options.venue = recorder.adapter({ market: 'private', maxActiveTimeSec: 60 });
    const c = new SupervisedConnection(options);
    connection = c;
    const topics = ['order', 'execution', 'position', 'wallet'];
    const { messages } = watch(c, topics);
    c.start();
    await c.whenReady(5_000);
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === 4, 3_000);
    expect(exchange.connections()[0]).toMatchObject({ authenticated: true, apiKey: 'bybit-key', idleTimeoutMs: 60_000 });
    const ops = exchange.opLog.map((e) => e.op).filter((op) => op !== 'ping');
    expect(ops).toEqual(['auth', 'subscribe']);
    for (const topic of topics) exchange.publish('private', topic, 1);
    await waitFor(() => topics.every((t) => (messages.get(t)?.length ?? 0) >= 1), { timeoutMs: 3_000 });

    for (let rebuild = 1; rebuild <= 2; rebuild++) {
      exchange.terminateAll();
      await firstValueFrom(c.state$.pipe(filter((s) => s === 'reconnecting')));
      await c.whenReady(5_000);
      await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === 4, 3_000);
    }
    expect(recorder.auths).toHaveLength(3);
    const expires = recorder.auths.map(([, e]) => e);
    expect(new Set(expires).size).toBe(3);
    expect(expires).toEqual([...expires].sort((a, b) => a - b));
    expect(new Set(recorder.auths.map(([, , signature]) => signature)).size).toBe(3);
    expect(exchange.counters).toMatchObject({ auth: 3, authFailures: 0 });
  });

  it('a consumer joining a live book gets a fresh snapshot first; deltas chain u by one for both', async () => {
    const c = supervisedBybit(exchange, 'linear');
    connection = c;
    const topic = 'orderbook.50.S00USDT';
    const trail = (list: Message[]) => list.map((m) => `${m.type} ${(m.data as { u: number }).u}`);
    const { messages: first } = watch(c, [topic]);
    c.start();
    await c.whenReady(5_000);
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === 1, 3_000);
    exchange.publish('linear', topic, 3);
    await waitFor(() => (first.get(topic)?.length ?? 0) >= 4, { timeoutMs: 3_000 });
    const { messages: late } = watch(c, [topic]);
    await waitFor(() => (late.get(topic)?.length ?? 0) >= 1, { timeoutMs: 3_000, message: 'the late consumer got its snapshot' });
    exchange.publish('linear', topic, 2);
    await waitFor(() => (late.get(topic)?.length ?? 0) >= 3, { timeoutMs: 3_000 });
    expect(late.get(topic)?.[0]?.type).toBe('snapshot');
    for (const list of [first.get(topic) ?? [], late.get(topic) ?? []]) {
      const steps = trail(list);
      for (let i = 1; i < list.length; i++) {
        if (list[i]!.type === 'delta') {
          expect((list[i]!.data as { u: number }).u).toBe((list[i - 1]!.data as { u: number }).u + 1);
        }
      }
      expect(steps[0]).toMatch(/^snapshot /);
    }
    expect(exchange.counters).toMatchObject({ unsubscribeCalls: 1, subscribeCalls: 2 });
  });

  it('pings every heartbeat interval and counts the pong as life', async () => {
    const c = supervisedBybit(exchange, 'linear', { session: { heartbeatIntervalSec: 0.05 } });
    connection = c;
    c.start();
    await c.whenReady(5_000);
    await exchange.waitFor(() => exchange.counters.pongs >= 3, 3_000);
    expect(c.stats().lastInboundAgeMs).toBeLessThan(1_000);
    expect(c.stats().malformedFrames).toBe(0);
  });

  it('is cut by the venue when it pings slower than the idle cut, and not when it pings faster', async () => {
    await exchange.stop();
    exchange = await startBybit({ idleTimeoutMs: 400, level1ResnapshotMs: 0 });
    const slow = supervisedBybit(exchange, 'linear', { name: 'slow', session: { heartbeatIntervalSec: 5 } });
    const fast = supervisedBybit(exchange, 'spot', { name: 'fast', session: { heartbeatIntervalSec: 0.1 } });
    const downs: string[] = [];
    streams.push(slow.events$.subscribe((e) => e.type === 'down' && downs.push(`slow ${e.code}`)));
    streams.push(fast.events$.subscribe((e) => e.type === 'down' && downs.push(`fast ${e.code}`)));
    try {
      slow.start();
      fast.start();
      await Promise.all([slow.whenReady(5_000), fast.whenReady(5_000)]);
      // The exchange counts its cut before the client sees the close: wait for both.
      await waitFor(() => exchange.counters.idleCloses >= 2 && downs.length >= 2, {
        timeoutMs: 5_000,
        message: 'the slow socket cut twice',
      });
      expect(downs.every((d) => d.startsWith('slow SOCKET_CLOSED'))).toBe(true);
      expect(fast.stats()).toMatchObject({ state: 'ready', reconnects: 0 });
    } finally {
      await Promise.all([slow.close(), fast.close()]);
    }
  });

  it('refuses bad settings at construction, naming them', () => {
    expect(() => supervisedBybit(exchange, 'private', { session: {} })).toThrow('needs credentials');
    expect(() => supervisedBybit(exchange, 'spot', { url: exchange.url('linear') })).toThrow('url path must be /v5/public/spot');
    expect(() =>
      supervisedBybit(
        exchange,
        'private',
        { session: { credentials: bybitOptions(exchange, 'private').session!.credentials, heartbeatIntervalSec: 40 } },
        { market: 'private', maxActiveTimeSec: 30 },
      ),
    ).toThrow('must be below maxActiveTimeSec');
    expect(() => supervisedBybit(exchange, 'spot', {}, { market: 'spot', maxActiveTimeSec: 60 })).toThrow(
      'only the Bybit private endpoint',
    );
    expect(() => supervisedBybit(exchange, 'private', {}, { market: 'private', maxActiveTimeSec: 20 })).toThrow(
      'maxActiveTimeSec',
    );
    expect(() => supervisedBybit(exchange, 'spot', {}, { market: 'futures' as 'spot' })).toThrow(ExchangeConnectionError);
  });

  it('shards a linear connection over sockets when the args budget would be exceeded', async () => {
    const c = shardedBybit(exchange, 'linear', {}, { market: 'linear', maxArgsChars: 200 });
    connection = c;
    const topics = SYMBOLS.slice(0, 20).map((s) => `tickers.${s}`);
    const { messages, ends } = watch(c, topics);
    c.start();
    await c.whenReady(5_000);
    // "tickers.S00USDT" is 15 characters, 18 with quotes and comma: 11 fit in 200 (1 + 11 × 18 = 199).
    expect(c.shardCount).toBe(2);
    await exchange.waitFor(
      () => exchange.connections().length === 2 && exchange.connections().reduce((n, x) => n + x.subscriptions.length, 0) === 20,
      3_000,
    );
    expect(
      exchange
        .connections()
        .map((x) => x.subscriptions.length)
        .sort((a, b) => a - b),
    ).toEqual([9, 11]);
    for (const topic of topics) exchange.publish('linear', topic, 1);
    await waitFor(() => topics.every((t) => (messages.get(t)?.length ?? 0) >= 2), { timeoutMs: 3_000 });
    expect(ends).toEqual([]);
  });
});

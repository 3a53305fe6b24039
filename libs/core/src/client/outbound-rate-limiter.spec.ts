import { BinanceTestExchange } from '@exchange-connection/testkit';
import { waitFor } from '../../../../test/support/wait-for.js';
import { ExchangeConnectionError } from './errors.js';
import { ExchangeClient } from './exchange-client.js';
import { JsonRpcCodec } from './json-rpc-codec.js';
import { OutboundRateLimiter, resolveOutboundRate } from './outbound-rate-limiter.js';
import { ManualClock } from './testing/manual-clock.js';

describe('OutboundRateLimiter (manual clock)', () => {
  it('writes at most `messages` frames per window plus margin, in FIFO order', async () => {
    const clock = new ManualClock(0);
    const limiter = new OutboundRateLimiter({ messages: 3, perMs: 1000, marginMs: 100 }, clock);
    const written: Array<[number, number]> = [];
    for (let i = 0; i < 7; i += 1) limiter.send(() => written.push([i, clock.now()]));
    expect(written.map(([i]) => i)).toEqual([0, 1, 2]);
    expect(limiter.queued).toBe(4);
    await clock.advance(1099);
    expect(written).toHaveLength(3);
    await clock.advance(1);
    expect(written.map(([i]) => i)).toEqual([0, 1, 2, 3, 4, 5]);
    await clock.advance(1100);
    expect(written.map(([i]) => i)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // No window of 1100 ms holds more than 3 writes.
    const times = written.map(([, at]) => at);
    for (let i = 3; i < times.length; i += 1)
      expect((times[i] as number) - (times[i - 3] as number)).toBeGreaterThanOrEqual(1100);
    expect(clock.pending).toBe(0);
  });

  it('puts control frames (pongs, pings) ahead of every queued request, still within the limit', async () => {
    const clock = new ManualClock(0);
    const limiter = new OutboundRateLimiter({ messages: 2, perMs: 1000, marginMs: 0 }, clock);
    const order: string[] = [];
    for (let i = 0; i < 5; i += 1) limiter.send(() => order.push(`req${i}`));
    limiter.sendControl(() => order.push('pong'));
    expect(order).toEqual(['req0', 'req1']);
    await clock.advance(1000);
    expect(order).toEqual(['req0', 'req1', 'pong', 'req2']);
  });

  it('a cancelled request is never written; cancel after writing reports false', async () => {
    const clock = new ManualClock(0);
    const limiter = new OutboundRateLimiter({ messages: 1, perMs: 1000, marginMs: 0 }, clock);
    const order: string[] = [];
    const first = limiter.send(() => order.push('a'));
    const second = limiter.send(() => order.push('b'));
    limiter.send(() => order.push('c'));
    expect(first()).toBe(false);
    expect(second()).toBe(true);
    expect(limiter.queued).toBe(1);
    await clock.advance(1000);
    expect(order).toEqual(['a', 'c']);
  });

  it('dispose drops the queue and leaves no timer; later sends fail fast (NOT_CONNECTED)', () => {
    const clock = new ManualClock(0);
    const limiter = new OutboundRateLimiter({ messages: 1, perMs: 1000 }, clock);
    limiter.send(() => undefined);
    limiter.send(() => undefined);
    expect(clock.pending).toBe(1);
    limiter.dispose();
    expect(clock.pending).toBe(0);
    expect(limiter.queued).toBe(0);
    expect(() => limiter.send(() => undefined)).toThrow(expect.objectContaining({ code: 'NOT_CONNECTED' }));
    limiter.sendControl(() => {
      throw new Error('never written');
    });
  });

  it('rejects a rule it cannot keep (INVALID_CONFIG naming the field)', () => {
    expect(() => resolveOutboundRate({ messages: 0, perMs: 1000 })).toThrow(/outboundRate.messages/);
    expect(() => resolveOutboundRate({ messages: 5, perMs: -1 })).toThrow(/outboundRate.perMs/);
    expect(() => resolveOutboundRate({ messages: 5, perMs: 1000, marginMs: 2000 })).toThrow(/marginMs/);
    expect(resolveOutboundRate({ messages: 5, perMs: 1000 })).toEqual({ messages: 5, perMs: 1000, marginMs: 100 });
  });
});

describe('ExchangeClient with an outbound rate (real sockets to the Binance test exchange)', () => {
  let exchange: BinanceTestExchange;
  const clients: ExchangeClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await exchange?.stop();
  });

  function client(url: string, paced: boolean, extra: { heartbeat?: false | { intervalMs: number; timeoutMs: number } } = {}) {
    const made = new ExchangeClient({
      url,
      codec: new JsonRpcCodec(),
      reconnectOnError: false,
      maxRetries: 0,
      heartbeat: extra.heartbeat ?? false,
      requestTimeoutMs: 20_000,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      ...(paced ? { outboundRate: { messages: 5, perMs: 1000 } } : {}),
    });
    clients.push(made);
    return made;
  }

  it('without pacing, a burst of 12 requests gets the socket cut by the venue (the control case)', async () => {
    exchange = await BinanceTestExchange.start({ feedIntervalMs: 0 });
    const raw = client(exchange.urls.spotStream, false);
    await raw.connect();
    const answers = Array.from({ length: 12 }, () => raw.request('LIST_SUBSCRIPTIONS').catch((e: unknown) => e));
    const settled = await Promise.all(answers);
    expect(settled.some((outcome) => outcome instanceof ExchangeConnectionError)).toBe(true);
    expect(exchange.counters.messageRateCloses).toBe(1);
  });

  it('paced, the same burst is answered in full and the venue never counts more than 5 in a second', async () => {
    exchange = await BinanceTestExchange.start({ feedIntervalMs: 0 });
    const paced = client(exchange.urls.spotStream, true);
    await paced.connect();
    const results = await Promise.all(Array.from({ length: 12 }, () => paced.request<string[]>('LIST_SUBSCRIPTIONS')));
    expect(results).toEqual(Array.from({ length: 12 }, () => []));
    expect(exchange.counters.messageRateCloses).toBe(0);
    expect(exchange.counters.peakMessagesPerSecond).toBeLessThanOrEqual(5);
    expect(exchange.requestLog).toHaveLength(12);
    // The first window's worth went at once; the rest waited (counted for operators).
    expect(paced.stats()).toMatchObject({ framesDelayed: 7, framesQueued: 0 });
  });

  it('answers server pings through the limiter, ahead of queued requests: no pong timeout while a queue drains', async () => {
    exchange = await BinanceTestExchange.start({
      feedIntervalMs: 0,
      pingIntervalMs: { spot: 400 },
      pongTimeoutMs: { spot: 2_000 },
    });
    // Our own watchdog pings too: they take slots as well, and the venue counts them.
    const paced = client(exchange.urls.spotStream, true, { heartbeat: { intervalMs: 1_000, timeoutMs: 10_000 } });
    await paced.connect();
    const results = await Promise.all(Array.from({ length: 12 }, () => paced.request('LIST_SUBSCRIPTIONS')));
    expect(results).toHaveLength(12);
    await waitFor(() => exchange.counters.pongsReceived >= 3);
    expect(exchange.counters.pongTimeouts).toBe(0);
    expect(exchange.counters.messageRateCloses).toBe(0);
    expect(exchange.counters.peakMessagesPerSecond).toBeLessThanOrEqual(5);
    expect(paced.state).toBe('open');
  });

  it('a request that times out while queued is never sent', async () => {
    exchange = await BinanceTestExchange.start({ feedIntervalMs: 0 });
    const paced = client(exchange.urls.spotStream, true);
    await paced.connect();
    const queued = Array.from({ length: 6 }, () => paced.request('LIST_SUBSCRIPTIONS'));
    const late = paced.request('GET_PROPERTY', ['combined'] as unknown as object, { timeoutMs: 100 });
    await expect(late).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT', message: expect.stringMatching(/before it was sent/) });
    await Promise.all(queued);
    await waitFor(() => exchange.requestLog.length === 6);
    expect(exchange.requestLog.map((entry) => entry.method)).not.toContain('GET_PROPERTY');
  });

  it('queued requests fail fast on a drop (DISCONNECTED) and on close (CLOSED_BY_USER)', async () => {
    exchange = await BinanceTestExchange.start({ feedIntervalMs: 0 });
    const dropped = client(exchange.urls.spotStream, true);
    await dropped.connect();
    const inQueue = Array.from({ length: 10 }, () => dropped.request('LIST_SUBSCRIPTIONS').catch((e: unknown) => e));
    exchange.terminateAll();
    const outcomes = await Promise.all(inQueue);
    const failed = outcomes.filter((o): o is ExchangeConnectionError => o instanceof ExchangeConnectionError);
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(new Set(failed.map((e) => e.code))).toEqual(new Set(['DISCONNECTED']));

    const closed = client(exchange.urls.spotStream, true);
    await closed.connect();
    const waiting = Array.from({ length: 10 }, () => closed.request('LIST_SUBSCRIPTIONS').catch((e: unknown) => e));
    await closed.close();
    const codes = (await Promise.all(waiting)).filter((o) => o instanceof ExchangeConnectionError).map((e) => e.code);
    expect(codes.length).toBeGreaterThanOrEqual(5);
    expect(new Set(codes)).toEqual(new Set(['CLOSED_BY_USER']));
    await expect(closed.request('LIST_SUBSCRIPTIONS')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });
});

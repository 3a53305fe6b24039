import {
  DeribitAdapter,
  ExchangeClient,
  ExchangeConnectionError,
  ShardedConnection,
  noJitter,
  type ShardBudget,
  type VenueAdapter,
  type VenueSession,
} from '@exchange-connection/core';
import type { TestExchange } from '@exchange-connection/testkit';
import { firstValueFrom, filter, type Subscription } from 'rxjs';
import { waitFor } from '../support/wait-for.js';
import { CREDENTIALS, captureLogger, startExchange } from './fixtures.js';

const A = 'ticker.BTC-PERPETUAL.100ms';
const B = 'ticker.ETH-PERPETUAL.100ms';
const C = 'trades.BTC-PERPETUAL.100ms';
const D = 'trades.ETH-PERPETUAL.100ms';

/** The client that subscribed each channel last (which socket carries it). */
const carriers = new Map<string, ExchangeClient>();

/** Deribit with a per-socket budget of channel-name characters (e.g. room for two of these names). */
function budgeted(limit: number | undefined): VenueAdapter {
  const inner = new DeribitAdapter({});
  const shardBudget: ShardBudget | undefined = limit === undefined ? undefined : { cost: (c) => c.length, limit };
  return Object.assign(Object.create(inner) as DeribitAdapter, {
    shardBudget,
    createSession: (...args: Parameters<DeribitAdapter['createSession']>): VenueSession => {
      const session = inner.createSession(...args);
      const subscribe = session.subscribe.bind(session);
      session.subscribe = (channels) => {
        if (args[0] instanceof ExchangeClient) for (const channel of channels) carriers.set(channel, args[0]);
        return subscribe(channels);
      };
      return session;
    },
  });
}

describe('ShardedConnection: one logical connection over several supervised sockets', () => {
  let exchange: TestExchange;
  let connection: ShardedConnection | undefined;
  const streams: Subscription[] = [];

  beforeEach(async () => {
    exchange = await startExchange();
  });

  afterEach(async () => {
    for (const s of streams.splice(0)) s.unsubscribe();
    await connection?.close();
    connection = undefined;
    await exchange.stop();
  });

  function open(limit: number | undefined): ShardedConnection {
    connection = new ShardedConnection({
      name: 'sharded',
      url: exchange.url,
      venue: budgeted(limit),
      session: { credentials: CREDENTIALS },
      client: { heartbeat: false, requestTimeoutMs: 2_000, connectTimeoutMs: 2_000 },
      rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
      silenceTimeoutMs: 5_000,
      logger: captureLogger(),
    });
    return connection;
  }

  function watch(c: ShardedConnection, channel: string, log: Map<string, number>, ends: string[]): void {
    streams.push(
      c.channel$(channel).subscribe({
        next: () => log.set(channel, (log.get(channel) ?? 0) + 1),
        error: (e: Error) => ends.push(`${channel} error ${e.message}`),
        complete: () => ends.push(`${channel} complete`),
      }),
    );
  }

  /** The channels each exchange-side connection holds, sorted, in connection order. */
  const held = () =>
    exchange
      .connections()
      .sort((x, y) => x.id - y.id)
      .map((x) => [...x.subscriptions].sort());

  it('places channels on a new socket when the first is full, one stream per channel, all flowing', async () => {
    const c = open(A.length + B.length);
    const log = new Map<string, number>();
    const ends: string[] = [];
    for (const channel of [A, B, C, D]) watch(c, channel, log, ends);
    c.start();
    await c.whenReady(5_000);
    expect(c.shardCount).toBe(2);
    expect([A, B, C, D].map((ch) => c.shardOf(ch))).toEqual([0, 0, 1, 1]);
    await waitFor(() => JSON.stringify(held()) === JSON.stringify([[A, B].sort(), [C, D].sort()]), { timeoutMs: 3_000 });
    for (const channel of [A, B, C, D]) exchange.publish(channel, 2);
    await waitFor(() => [A, B, C, D].every((ch) => (log.get(ch) ?? 0) >= 2), { timeoutMs: 3_000 });
    expect(c.stats()).toMatchObject({ name: 'sharded', state: 'ready', subscriptions: 4, sessionSubscriptions: 4 });
    expect(c.shardStats().map((s) => s.name)).toEqual(['sharded', 'sharded/1']);
    expect(ends).toEqual([]);
  });

  it('restores each shard on its own: a dropped socket rebuilds only its shard, streams never end', async () => {
    const c = open(A.length + B.length);
    const log = new Map<string, number>();
    const ends: string[] = [];
    for (const channel of [A, B, C, D]) watch(c, channel, log, ends);
    c.start();
    await c.whenReady(5_000);
    await waitFor(() => exchange.connections().length === 2 && held().flat().length === 4, { timeoutMs: 3_000 });
    const firstId = exchange.connections().find((x) => x.subscriptions.includes(A))!.id;
    exchange.resetCounters();
    carriers.get(C)!.kill(new ExchangeConnectionError('SOCKET_CLOSED', 'test: the second socket dies'));
    await firstValueFrom(c.state$.pipe(filter((s) => s !== 'ready')));
    await firstValueFrom(c.state$.pipe(filter((s) => s === 'ready')));
    await waitFor(() => held().flat().length === 4 && exchange.connections().length === 2, { timeoutMs: 3_000 });
    expect(exchange.counters.connections).toBe(1);
    expect(exchange.connections().some((x) => x.id === firstId)).toBe(true);
    expect(c.shardStats().map((s) => s.reconnects)).toEqual([0, 1]);
    expect(exchange.requestLog.filter((r) => r.method === 'public/subscribe').length).toBe(1);
    const before = log.get(C) ?? 0;
    exchange.publish(C, 2);
    await waitFor(() => (log.get(C) ?? 0) >= before + 2, { timeoutMs: 3_000 });
    expect(ends).toEqual([]);
  });

  it("frees a channel's room on its last teardown, and reuses it", async () => {
    const c = open(A.length + B.length);
    const log = new Map<string, number>();
    const ends: string[] = [];
    watch(c, A, log, ends);
    watch(c, A, log, ends);
    watch(c, B, log, ends);
    c.start();
    await c.whenReady(5_000);
    streams[0]!.unsubscribe();
    expect(c.shardOf(A)).toBe(0); // one observer left
    streams[1]!.unsubscribe();
    expect(c.shardOf(A)).toBeUndefined();
    watch(c, C, log, ends);
    expect(c.shardOf(C)).toBe(0);
    expect(c.shardCount).toBe(1);
    await waitFor(() => JSON.stringify(held()) === JSON.stringify([[B, C].sort()]), { timeoutMs: 3_000 });
  });

  it('refuses a channel no socket can carry, without disturbing the others', async () => {
    const c = open(A.length + 1);
    const log = new Map<string, number>();
    const ends: string[] = [];
    watch(c, A, log, ends);
    watch(c, `${A}.too-long-for-any-socket`, log, ends);
    c.start();
    await c.whenReady(5_000);
    expect(ends).toEqual([expect.stringContaining('no socket has room')]);
    exchange.publish(A, 1);
    await waitFor(() => (log.get(A) ?? 0) >= 1, { timeoutMs: 3_000 });
  });

  it('without a budget is one supervised connection', async () => {
    const c = open(undefined);
    const log = new Map<string, number>();
    const ends: string[] = [];
    for (const channel of [A, B, C, D]) watch(c, channel, log, ends);
    c.start();
    await c.whenReady(5_000);
    expect(c.shardCount).toBe(1);
    await waitFor(() => held().length === 1 && held()[0]!.length === 4, { timeoutMs: 3_000 });
    await expect(c.request<number>('public/get_time')).resolves.toEqual(expect.any(Number));
  });

  it('without a budget, its state and events are the one shard’s: a rebuild is seen as down → ready, close completes both', async () => {
    const c = open(undefined);
    const states: string[] = [];
    const events: string[] = [];
    let completed = 0;
    c.state$.subscribe({ next: (s) => states.push(s), complete: () => (completed += 1) });
    c.events$.subscribe({ next: (e) => events.push(e.type), complete: () => (completed += 1) });
    watch(c, A, new Map(), []);
    c.start();
    await c.whenReady(5_000);
    carriers.get(A)!.kill(new ExchangeConnectionError('SOCKET_CLOSED', 'test: the socket dies'));
    await firstValueFrom(c.state$.pipe(filter((s) => s !== 'ready')));
    await c.whenReady(5_000);
    expect(c.state).toBe('ready');
    expect(events).toEqual(expect.arrayContaining(['down', 'ready']));
    expect(states[0]).toBe('idle');
    expect(states.filter((s) => s === 'ready')).toHaveLength(2);
    // distinct: a state is never repeated back to back
    expect(states.every((s, i) => i === 0 || s !== states[i - 1])).toBe(true);
    await c.close();
    expect(c.state).toBe('closed');
    expect(states.at(-1)).toBe('closed');
    expect(completed).toBe(2);
    connection = undefined;
  });

  it('closes every shard: streams complete, no socket left', async () => {
    const c = open(A.length + B.length);
    const log = new Map<string, number>();
    const ends: string[] = [];
    for (const channel of [A, B, C, D]) watch(c, channel, log, ends);
    c.start();
    await c.whenReady(5_000);
    await c.close();
    expect(c.state).toBe('closed');
    expect(ends.sort()).toEqual([A, B, C, D].map((ch) => `${ch} complete`).sort());
    await exchange.waitFor(() => exchange.connections().length === 0, 3_000);
    connection = undefined;
  });
});

import type { ConnectionEvent, ConnectionState, SupervisedConnection } from '@exchange-connection/core';
import type { RpcTestClient, TestExchange } from '@exchange-connection/testkit';
import { settleNoResourceGrowth, stableResourceSnapshot } from '../support/open-handles.js';
import { waitFor } from '../support/wait-for.js';
import { CREDENTIALS, methodCount, startExchange, supervised } from './fixtures.js';
import {
  NoticeDeribitAdapter,
  RotationLog,
  SHUTDOWN_NOTICE,
  brokenChain,
  missing,
  referenceReader,
  repeats,
  tradeHoles,
} from './rotation-fixtures.js';

const TICKER = 'ticker.BTC-PERPETUAL.100ms';
const TRADES = 'trades.ETH-PERPETUAL.100ms';
const BOOK = 'book.BTC-PERPETUAL.100ms';
const PRIVATE = 'user.orders.BTC-PERPETUAL.raw';
const PUBLIC = [TICKER, TRADES, BOOK];

/**
 * Make-before-break rotation over real sockets against the Deribit test exchange. A reference
 * reader subscribed to the same channels is never rotated: what it saw is what was published.
 * Consumers must see every message of that window once, in order, and the book one chain.
 */
describe('SupervisedConnection rotation (make-before-break)', () => {
  let exchange: TestExchange;
  let reference: RpcTestClient;
  let connection: SupervisedConnection | undefined;

  beforeEach(async () => {
    exchange = await startExchange({ feedIntervalMs: 20 });
    reference = await referenceReader(exchange, PUBLIC);
  });

  afterEach(async () => {
    await connection?.close();
    connection = undefined;
    await reference.close();
    await exchange.stop();
  });

  function open(rotation: NonNullable<Parameters<typeof supervised>[1]>['rotation']) {
    const c = supervised(exchange.url, { venue: new NoticeDeribitAdapter(), rotation });
    connection = c;
    const events: ConnectionEvent[] = [];
    const states: ConnectionState[] = [];
    c.events$.subscribe((e) => events.push(e));
    c.state$.subscribe((s) => states.push(s));
    const log = new RotationLog(c, { ticker: TICKER, trades: TRADES, book: BOOK, extra: [PRIVATE] });
    // One request per ticker, before, during and after each switch: none may fail or be sent twice.
    const requests = { sent: 0, ok: 0, failed: [] as string[] };
    const pacer = c.channel$(TICKER).subscribe(() => {
      // Data flows from the first subscribe on, before the first 'ready' (a request would be refused).
      if (c.state !== 'ready') return;
      requests.sent += 1;
      c.request<number>('public/get_time').then(
        () => void (requests.ok += 1),
        (error: unknown) => void requests.failed.push(String(error)),
      );
    });
    c.start();
    return { c, events, states, log, requests, pacer };
  }

  const phases = (events: ConnectionEvent[]) => events.flatMap((e) => (e.type === 'rotation' ? [e.phase] : []));

  /** Every published message in the consumers' window reached them once; the book is one chain. */
  async function expectExactlyOnce(log: RotationLog): Promise<void> {
    const tickers = reference.notifications(TICKER).map((d) => (d as { timestamp: number }).timestamp);
    const trades = reference.notifications(TRADES).flatMap((d) => (d as Array<{ trade_seq: number }>).map((t) => t.trade_seq));
    expect(log.errors).toEqual([]);
    expect(log.tickers.length).toBeGreaterThan(10);
    expect(repeats(log.tickers)).toEqual([]);
    expect(missing(log.tickers, tickers)).toEqual([]);
    expect(repeats(log.trades)).toEqual([]);
    expect(tradeHoles(log.trades)).toEqual([]);
    expect(missing(log.trades, trades)).toEqual([]);
    expect(brokenChain(log.books)).toEqual([]);
    expect(repeats(log.books.map((b) => b.change_id))).toEqual([]);
    // Joined, never restarted: the one snapshot is the first session's.
    expect(log.books.filter((b) => b.type === 'snapshot')).toHaveLength(1);
  }

  it('rotates before the venue cuts the socket: no drop, nothing missed or repeated, requests move at the switch', async () => {
    // Settled first: a previous file's last async work in this Jest worker must not count as ours.
    const before = await stableResourceSnapshot();
    exchange.setConnectionLifetime(1_600); // the reference reader opened before: it is not cut
    const { c, events, states, log, requests, pacer } = open({ rotateAfterMs: 700, overlapTimeoutMs: 5_000 });
    await c.whenReady(5_000);
    await waitFor(() => (c.stats().rotations?.completed ?? 0) >= 2, { timeoutMs: 10_000, message: 'two rotations' });
    const tickersThen = log.tickers.length;
    await waitFor(() => log.tickers.length > tickersThen + 10, { message: 'tickers after the second rotation' });
    pacer.unsubscribe();
    log.stop();
    await waitFor(() => requests.ok + requests.failed.length === requests.sent, { message: 'every request settled' });

    await expectExactlyOnce(log);
    expect(exchange.counters.lifetimeCloses).toBe(0); // every socket was rotated out before its cut
    expect(events.filter((e) => e.type === 'down')).toEqual([]);
    expect(events.filter((e) => e.type === 'gap')).toEqual([]);
    expect(
      states.filter((s) => s !== 'ready' && s !== 'idle' && s !== 'connecting' && s !== 'authenticating' && s !== 'restoring'),
    ).toEqual([]);
    expect(states.lastIndexOf('ready')).toBe(states.length - 1);
    const stats = c.stats();
    expect(stats.reconnects).toBe(0);
    expect(stats.rotations).toMatchObject({ failed: 0, abandoned: 0, forcedChannels: 0 });
    const completed = stats.rotations?.completed ?? 0;
    expect(phases(events).filter((p) => p === 'completed')).toHaveLength(completed);
    for (const e of events) if (e.type === 'rotation' && e.phase === 'completed') expect(e.channels?.forced).toBe(0);
    // Sessions: the reference, the first, one per rotation; each restored fully, each channel once.
    expect(exchange.counters.connections).toBe(2 + completed);
    expect(methodCount(exchange, 'public/auth')).toBe(1 + completed);
    expect(methodCount(exchange, 'private/enable_cancel_on_disconnect')).toBe(1 + completed);
    expect(exchange.counters.subscribedChannels).toBe(PUBLIC.length + 4 * (1 + completed));
    // Every request answered once: nothing dropped at the switch, nothing resent.
    expect(requests.failed).toEqual([]);
    expect(methodCount(exchange, 'public/get_time')).toBe(requests.sent);

    await c.close();
    await exchange.waitFor(() => exchange.connections().length === 1); // the reference only
    await settleNoResourceGrowth(before, { timeoutMs: 3_000 });
  });

  it("rotates on the venue's shutdown notice, once per notice, with nothing missed or repeated", async () => {
    const { c, events, log, pacer, requests } = open({ overlapTimeoutMs: 5_000 });
    await c.whenReady(5_000);
    for (let n = 1; n <= 2; n += 1) {
      const seen = log.tickers.length;
      await waitFor(() => log.tickers.length > seen + 10, { message: 'tickers before the notice' });
      expect(exchange.notifyAll(SHUTDOWN_NOTICE)).toBe(2); // the reference and the serving socket
      await waitFor(() => c.stats().rotations?.completed === n, { message: `rotation ${n}` });
    }
    const seen = log.tickers.length;
    await waitFor(() => log.tickers.length > seen + 10, { message: 'tickers after the last rotation' });
    pacer.unsubscribe();
    log.stop();
    await waitFor(() => requests.ok + requests.failed.length === requests.sent, { message: 'every request settled' });

    await expectExactlyOnce(log);
    expect(requests.failed).toEqual([]);
    expect(events.filter((e) => e.type === 'down')).toEqual([]);
    const rotations = events.filter((e) => e.type === 'rotation');
    expect(rotations.map((e) => e.phase)).toEqual(['started', 'completed', 'started', 'completed']);
    expect(rotations[0]).toMatchObject({ reason: 'venue notice: server shutdown' });
    expect(exchange.counters.connections).toBe(2 + 2);
    expect(c.stats().reconnects).toBe(0);
  });

  it('leaves the old socket serving when the new one cannot connect, and retries until it can', async () => {
    const { c, events, states, log, pacer } = open({ overlapTimeoutMs: 5_000 });
    await c.whenReady(5_000);
    const serving = exchange.connections().find((s) => s.authenticated)?.id;
    exchange.setUpgradeRejection(503);
    const outcome = await c.rotate('handover');
    expect(outcome).toMatchObject({ outcome: 'failed', reason: 'handover' });
    const code = outcome.error?.code;
    expect(code).toBeDefined();
    expect(c.state).toBe('ready');
    // The old socket still serves: same socket at the venue, data still flowing.
    expect(exchange.connections().find((s) => s.authenticated)?.id).toBe(serving);
    const seen = log.tickers.length;
    await waitFor(() => log.tickers.length > seen + 5, { message: 'tickers on the old socket' });
    expect(c.stats().rotations?.failed).toBeGreaterThanOrEqual(1);
    expect(events.some((e) => e.type === 'rotation' && e.phase === 'failed' && e.code === code)).toBe(true);

    exchange.setUpgradeRejection(null); // the scheduled retry now gets through
    await waitFor(() => c.stats().rotations?.completed === 1, { message: 'the retried rotation' });
    const after = log.tickers.length;
    await waitFor(() => log.tickers.length > after + 10, { message: 'tickers on the new socket' });
    pacer.unsubscribe();
    log.stop();
    await expectExactlyOnce(log);
    expect(events.filter((e) => e.type === 'down')).toEqual([]);
    expect(states.filter((s) => s === 'reconnecting' || s === 'circuit-open')).toEqual([]);
    expect(c.stats().circuit).toBe('closed');
    expect(exchange.connections().filter((s) => s.authenticated)).toHaveLength(1);
  });

  it('abandons the rotation when the old socket dies first: the normal rebuild wins, nothing is left open', async () => {
    const { c, events, log, pacer } = open({ overlapTimeoutMs: 5_000 });
    await c.whenReady(5_000);
    const serving = exchange.connections().find((s) => s.authenticated)?.id as number;
    exchange.setResponseDelay(300); // the new session's restore is slow...
    const rotation = c.rotate('handover');
    await exchange.waitFor(() => exchange.connections().length === 3); // reference, serving, new
    exchange.closeConnection(serving, 1011, 'internal error'); // ...and the serving socket dies first
    await expect(rotation).resolves.toMatchObject({ outcome: 'abandoned' });
    exchange.setResponseDelay(0);
    await waitFor(() => c.state === 'ready' && c.stats().reconnects === 1, { message: 'the rebuild' });
    await exchange.waitFor(() => exchange.connections().length === 2); // the rotation's socket was closed
    pacer.unsubscribe();
    log.stop();
    expect(log.errors).toEqual([]);
    expect(brokenChain(log.books)).toEqual([]);
    expect(events.filter((e) => e.type === 'down')).toHaveLength(1);
    expect(c.stats().rotations).toMatchObject({ rotating: false, started: 1, completed: 0, abandoned: 1 });
  });

  it.each([
    { disableOnClose: false, firings: 1, disables: 0 },
    { disableOnClose: true, firings: 0, disables: 1 },
  ])(
    'closes the old socket after the switch: cancel-on-disconnect fires on it unless disableCancelOnDisconnectOnClose ($disableOnClose)',
    async ({ disableOnClose, firings, disables }) => {
      const c = supervised(exchange.url, {
        venue: new NoticeDeribitAdapter(),
        session: {
          credentials: CREDENTIALS,
          heartbeatIntervalSec: 0.5,
          cancelOnDisconnect: { scope: 'connection' },
          disableCancelOnDisconnectOnClose: disableOnClose,
        },
      });
      connection = c;
      const stream = c.channel$(TICKER).subscribe();
      c.start();
      await c.whenReady(5_000);
      const old = exchange.connections().find((s) => s.authenticated)?.id;
      await expect(c.rotate('handover')).resolves.toMatchObject({ outcome: 'completed' });
      await exchange.waitFor(() => exchange.connections().length === 2); // the reference and the new socket
      // The old socket's own orders: cancelled by the venue on its close, or kept when COD was disabled first.
      expect(exchange.cancelOnDisconnectFirings.map((f) => f.connectionId)).toEqual(firings === 1 ? [old] : []);
      expect(exchange.counters.disableCancelOnDisconnect).toBe(disables);
      // The new socket enabled cancel-on-disconnect for itself before it served.
      expect(exchange.connections().find((s) => s.authenticated)?.cancelOnDisconnect).toEqual({
        enabled: true,
        scope: 'connection',
      });
      stream.unsubscribe();
    },
  );

  it('answers a request in flight at the switch on the socket it was sent on, then closes that socket: never resent', async () => {
    const c = supervised(exchange.url, { venue: new NoticeDeribitAdapter(), rotation: { drainTimeoutMs: 5_000 } });
    connection = c;
    const stream = c.channel$(TICKER).subscribe();
    c.start();
    await c.whenReady(5_000);
    const serving = exchange.connections().find((s) => s.authenticated)?.id;
    const order: string[] = [];
    // Stands in for an order: its answer is held back 1.5 s (the delay is fixed when it arrives).
    exchange.setResponseDelay(1_500);
    const inFlight = c.request<number>('public/get_time').then((time) => {
      order.push('answered');
      return time;
    });
    await exchange.waitFor(() => methodCount(exchange, 'public/get_time') === 1);
    exchange.setResponseDelay(0);
    await expect(c.rotate('handover')).resolves.toMatchObject({ outcome: 'completed' });
    order.push('switched');
    // The old socket drains: still open, the request still pending on it.
    expect(exchange.connections().some((s) => s.id === serving)).toBe(true);
    await expect(inFlight).resolves.toEqual(expect.any(Number));
    expect(order).toEqual(['switched', 'answered']);
    await exchange.waitFor(() => !exchange.connections().some((s) => s.id === serving));
    // New requests go to the new socket; the one in flight was sent once, on the old one.
    await c.request('public/get_time');
    const sockets = exchange.requestLog.filter((r) => r.method === 'public/get_time').map((r) => r.connectionId);
    expect(sockets).toHaveLength(2);
    expect(sockets[0]).toBe(serving);
    expect(sockets[1]).not.toBe(serving);
    stream.unsubscribe();
  });

  it('checks the rotation options like the others (INVALID_CONFIG naming the option)', () => {
    expect(() => supervised(exchange.url, { rotation: { rotateAfterMs: 0 } })).toThrow(/rotation\.rotateAfterMs/);
    expect(() => supervised(exchange.url, { rotation: { overlapTimeoutMs: -1 } })).toThrow(/rotation\.overlapTimeoutMs/);
    expect(() => supervised(exchange.url, { rotation: { drainTimeoutMs: Number.NaN } })).toThrow(/rotation\.drainTimeoutMs/);
    expect(() => supervised(exchange.url, { rotation: { rotateAfterMs: 2 ** 31 } })).toThrow(/rotation\.rotateAfterMs/);
  });
});

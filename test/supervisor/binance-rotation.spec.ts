import { BinanceAdapter, SupervisedConnection, noJitter, type ConnectionEvent } from '@exchange-connection/core';
import { BinanceTestExchange } from '@exchange-connection/testkit';
import type { Subscription } from 'rxjs';
import { waitFor } from '../support/wait-for.js';
import { repeats, tradeHoles } from './rotation-fixtures.js';

const TRADES = 'btcusdt@trade';
/** No order key: joined on identical content. */
const TICKER = 'btcusdt@ticker';
const BOOK = 'btcusdt@depth@100ms';
const STREAMS = [TRADES, TICKER, BOOK];
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

type Level = [string, string];
interface BookMessage {
  e: 'depthSnapshot' | 'depthUpdate';
  U?: number;
  u: number;
  b: Level[];
  a: Level[];
}

/** A consumer's spot book: a snapshot clears it; each update must start right after the last one. */
class LocalBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  u = 0;
  snapshots = 0;
  breaks = 0;

  apply(m: BookMessage): void {
    if (m.e === 'depthSnapshot') {
      this.bids.clear();
      this.asks.clear();
      this.snapshots += 1;
    } else if (m.U !== this.u + 1) this.breaks += 1;
    for (const [p, q] of m.b) {
      if (Number(q) === 0) this.bids.delete(p);
      else this.bids.set(p, q);
    }
    for (const [p, q] of m.a) {
      if (Number(q) === 0) this.asks.delete(p);
      else this.asks.set(p, q);
    }
    this.u = m.u;
  }

  side(which: 'bids' | 'asks'): Level[] {
    const order = which === 'bids' ? -1 : 1;
    return [...this[which].entries()].sort((x, y) => order * (Number(x[0]) - Number(y[0])));
  }
}

/**
 * Binance, the venue rotation is for: every socket closed after its lifetime (24 h, seconds here)
 * and `serverShutdown` before maintenance. The adapter declares both; the supervisor rotates
 * make-before-break on its own. Trade ids rise by one, so a hole or a repeat shows;
 * the ticker has no key (joined on content).
 */
describe('Binance rotation: the lifetime cut and serverShutdown, rotated without a drop', () => {
  let exchange: BinanceTestExchange;
  let connection: SupervisedConnection | undefined;
  let pump: NodeJS.Timeout | undefined;
  const streams: Subscription[] = [];

  afterEach(async () => {
    clearInterval(pump);
    for (const s of streams.splice(0)) s.unsubscribe();
    await connection?.close();
    connection = undefined;
    await exchange.stop();
  });

  async function open(lifetimeMs: number | undefined) {
    exchange = await BinanceTestExchange.start({
      feedIntervalMs: 0,
      ...(lifetimeMs === undefined ? {} : { connectionLifetimeMs: lifetimeMs }),
    });
    const c = new SupervisedConnection({
      name: 'binance',
      url: exchange.urls.spotCombined,
      venue: new BinanceAdapter({
        market: 'spot',
        restUrl: exchange.urls.rest,
        logger: silent,
        ...(lifetimeMs === undefined ? {} : { maxSocketLifetimeMs: lifetimeMs }),
      }),
      rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
      rotation: { overlapTimeoutMs: 5_000 },
      logger: silent,
    });
    connection = c;
    const events: ConnectionEvent[] = [];
    const trades: number[] = [];
    const tickers: string[] = [];
    const book = new LocalBook();
    streams.push(
      c.events$.subscribe((e) => events.push(e)),
      c.channel$<{ t: number }>(TRADES).subscribe((m) => trades.push(m.t)),
      c.channel$(TICKER).subscribe((m) => tickers.push(JSON.stringify(m))),
      c.channel$<BookMessage>(BOOK).subscribe((m) => book.apply(m)),
    );
    c.start();
    await c.whenReady(5_000);
    pump = setInterval(() => {
      for (const stream of STREAMS) exchange.publish('spot', stream);
    }, 20);
    await waitFor(() => book.snapshots === 1 && trades.length > 5, { message: 'data on every stream' });
    return { c, events, trades, tickers, book };
  }

  async function expectExactlyOnce(trades: number[], tickers: string[], book: LocalBook): Promise<void> {
    clearInterval(pump);
    await waitFor(() => book.u === exchange.depthSnapshot('spot', 'BTCUSDT').lastUpdateId, { message: 'the book caught up' });
    expect(repeats(trades)).toEqual([]);
    expect(tradeHoles(trades)).toEqual([]);
    expect(new Set(tickers).size).toBe(tickers.length);
    expect(tickers.length).toBeGreaterThan(10);
    expect(book.breaks).toBe(0);
    expect(book.snapshots).toBe(1); // joined, never restarted
    const venue = exchange.depthSnapshot('spot', 'BTCUSDT', 5_000);
    expect(book.side('bids')).toEqual(venue.bids);
    expect(book.side('asks')).toEqual(venue.asks);
  }

  it("rotates before the venue's lifetime cut (the adapter's maxSocketLifetimeMs minus the margin)", async () => {
    const { c, events, trades, tickers, book } = await open(1_500); // rotates 1,350 ms after each opening
    await waitFor(() => (c.stats().rotations?.completed ?? 0) >= 2, { timeoutMs: 10_000, message: 'two rotations' });
    await expectExactlyOnce(trades, tickers, book);
    expect(exchange.counters.lifetimeCloses).toBe(0);
    expect(events.filter((e) => e.type === 'down')).toEqual([]);
    expect(c.stats()).toMatchObject({ reconnects: 0, rotations: { failed: 0, abandoned: 0, forcedChannels: 0 } });
  });

  it('rotates on serverShutdown before the venue closes the socket', async () => {
    const { c, events, trades, tickers, book } = await open(undefined);
    const seen = trades.length;
    expect(exchange.sendServerShutdown({ closeAfterMs: 2_000 })).toBe(1);
    await waitFor(() => c.stats().rotations?.completed === 1, { message: 'the rotation' });
    await waitFor(() => trades.length > seen + 20, { message: 'trades after the rotation' });
    await expectExactlyOnce(trades, tickers, book);
    expect(events.filter((e) => e.type === 'rotation').map((e) => e.reason)).toEqual([
      'venue notice: serverShutdown',
      'venue notice: serverShutdown',
    ]);
    expect(events.filter((e) => e.type === 'down')).toEqual([]);
    expect(exchange.connections()).toHaveLength(1); // the old socket closed by us, before the venue's cut
    expect(c.stats().reconnects).toBe(0);
  });
});

import { BinanceTestExchange } from '@exchange-connection/testkit';
import type { Subscription } from 'rxjs';
import { waitFor } from '../../../../../test/support/wait-for.js';
import type { ClientLogger } from '../../client/client-types.js';
import { ManualClock } from '../../client/testing/manual-clock.js';
import { SupervisedConnection } from '../../supervisor/supervised-connection.js';
import type { ConnectionEvent } from '../../supervisor/connection-types.js';
import { BinanceAdapter, type BinanceAdapterOptions } from './binance-adapter.js';
import type { BinanceBookMessage } from './binance-book.js';

/**
 * Several Binance connections of one process (one IP) against one test exchange, over loopback
 * sockets: an IP ban told to one of them holds the others' requests to the same limits. The
 * adapters and the exchange run on one ManualClock, so "the ban ends" is a clock step, never a sleep:
 * everything asserted while the ban lasts is counted by the exchange, not timed.
 */
const BOOK = 'btcusdt@depth@100ms';
/** The second spot book: a gap is injected per stream, so each connection's book can break alone. */
const OTHER_BOOK = 'ethusdt@depth@100ms';
const BAN_MS = 120_000;
const credentials = { kind: 'client_credentials' as const, clientId: 'test-key', clientSecret: 'test-secret' };

const silent: ClientLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

let clock: ManualClock;
let exchange: BinanceTestExchange;
const connections: SupervisedConnection[] = [];
const subscriptions: Subscription[] = [];

interface Leg {
  book: string;
  connection: SupervisedConnection;
  adapter: BinanceAdapter;
  /** Book snapshots the consumer got (a resync's stitch is the second). */
  snapshots: () => number;
  gaps: () => number;
}

function leg(
  options: Pick<BinanceAdapterOptions, 'market'> & Partial<BinanceAdapterOptions>,
  url: string,
  { logger = silent, book = BOOK }: { logger?: ClientLogger; book?: string } = {},
): Leg {
  const adapter = new BinanceAdapter({ restUrl: exchange.urls.rest, clock, logger, ...options });
  const connection = new SupervisedConnection({
    name: `binance-${options.market}-${connections.length}`,
    url,
    venue: adapter,
    session: options.market === 'user-data' ? { credentials } : undefined,
    rebuild: { baseDelayMs: 20, maxBackoffMs: 100 },
    logger: silent,
  });
  connections.push(connection);
  let snapshots = 0;
  let gaps = 0;
  if (options.market === 'user-data') {
    subscriptions.push(connection.channel$('userData').subscribe());
  } else {
    subscriptions.push(
      connection.channel$<BinanceBookMessage>(book).subscribe((m) => {
        if (m.e === 'depthSnapshot') snapshots += 1;
      }),
    );
    subscriptions.push(connection.events$.subscribe((e: ConnectionEvent) => (gaps += e.type === 'gap' ? 1 : 0)));
  }
  connection.start();
  return { book, connection, adapter, snapshots: () => snapshots, gaps: () => gaps };
}

/** Feeds the book until its consumer has `n` snapshots (events buffered while the snapshot is fetched stitch it). */
async function bookStitched(product: 'spot' | 'usdm', book: Leg, n: number): Promise<void> {
  await book.connection.whenReady(5_000);
  await waitFor(
    () => {
      exchange.publish(product, book.book, 1);
      return book.snapshots() === n;
    },
    { message: `book snapshot ${n}` },
  );
}

/** A book gap on `book`: its stream is resubscribed and, once subscribed, wants a new REST snapshot. */
async function gapResubscribed(book: Leg, subscribeCallsBefore: number): Promise<void> {
  exchange.injectBookGap('spot', book.book);
  await waitFor(
    () => {
      exchange.publish('spot', book.book, 1);
      return book.gaps() === 1 && exchange.counters.subscribeCalls === subscribeCallsBefore + 1;
    },
    { message: 'the gap seen and the book stream subscribed again' },
  );
}

/**
 * A gap on `book` during the ban: its stream is resubscribed and its snapshot waits on the clock
 * (`pending` timers held then) instead of being asked for. Returns the exchange's snapshot count,
 * unchanged by it.
 */
async function snapshotHeldThroughBan(book: Leg, pending: number, message: string): Promise<number> {
  const snapshotsBefore = exchange.counters.depthSnapshots;
  await gapResubscribed(book, exchange.counters.subscribeCalls);
  await waitFor(() => clock.pending === pending, { message });
  expect(exchange.counters.requestsWhileBanned).toBe(1);
  expect(exchange.counters.depthSnapshots).toBe(snapshotsBefore);
  return snapshotsBefore;
}

beforeEach(async () => {
  // Near the wall clock: signed requests carry this clock's time and the exchange judges them on it.
  clock = new ManualClock(Date.now());
  exchange = await BinanceTestExchange.start({ feedIntervalMs: 0, now: () => clock.now() });
});

afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await exchange.stop();
});

describe('Binance connections of one process share a stated wait per limits domain', () => {
  it('user data told of an IP ban holds the spot book’s REST snapshot until the ban ends; USDⓈ-M is not held', async () => {
    const warnings: string[] = [];
    const userLogger: ClientLogger = { ...silent, warn: (message) => warnings.push(message) };
    const market = leg({ market: 'spot' }, exchange.urls.spotCombined);
    const user = leg({ market: 'user-data' }, exchange.urls.wsApi, { logger: userLogger });
    await bookStitched('spot', market, 1);
    await user.connection.whenReady(5_000);
    await waitFor(() => exchange.counters.userDataSubscriptions === 1);

    // The venue ends the user data stream during a ban: its re-subscribe is the one request that learns of it.
    exchange.banIp(BAN_MS);
    exchange.endUserDataStreams('test-key');
    await waitFor(() => exchange.counters.requestsWhileBanned === 1 && user.adapter.requestPauseMs > 0);
    // The user data connection was told; the market connection holds the same wait without asking.
    expect(market.adapter.requestPauseMs).toBe(BAN_MS);
    expect(warnings.filter((w) => w.includes('asked for no request'))).toEqual([
      expect.stringMatching(/^Binance spot \(127\.0\.0\.1:\d+\) asked for no request for 120 s/),
    ]);
    // The user data session's back-off timer: held on the clock, nothing sent.
    await waitFor(() => clock.pending === 1, { message: 'the user data re-subscribe backing off' });

    // The resubscribed book wants its snapshot: it waits on the clock for the ban's end instead of asking.
    const snapshotsBefore = await snapshotHeldThroughBan(market, 2, 'the book snapshot waiting out the ban');
    expect(market.snapshots()).toBe(1);

    // USDⓈ-M counts apart. The test exchange bans the whole IP, so the ban is lifted at the exchange
    // (the spot connections, told 120 s, still wait): a futures book stitches meanwhile.
    exchange.banIp(null);
    const futures = leg({ market: 'futures-public' }, exchange.urls.usdmPublic);
    await bookStitched('usdm', futures, 1);
    expect(futures.adapter.requestPauseMs).toBe(0);
    expect(exchange.counters.depthSnapshots).toBe(snapshotsBefore + 1);
    expect(market.adapter.requestPauseMs).toBe(BAN_MS);
    expect(market.snapshots()).toBe(1);

    // The ban's end releases both spot connections, each with one request.
    await clock.advance(BAN_MS);
    await bookStitched('spot', market, 2);
    await waitFor(() => exchange.counters.userDataSubscriptions === 2, { message: 're-subscribed after the ban' });
    expect(exchange.counters.requestsWhileBanned).toBe(1);
    for (const { connection } of [market, user, futures]) expect(connection.state).toBe('ready');
  });

  it('two spot book connections: the one whose snapshot was refused holds the other; a private pause does not', async () => {
    const first = leg({ market: 'spot' }, exchange.urls.spotCombined);
    const second = leg({ market: 'spot' }, exchange.urls.spotCombined, { book: OTHER_BOOK });
    await bookStitched('spot', first, 1);
    await bookStitched('spot', second, 1);

    exchange.banIp(BAN_MS);
    await gapResubscribed(first, exchange.counters.subscribeCalls);
    // REST states the ban in whole seconds (Retry-After: 120).
    await waitFor(() => exchange.counters.requestsWhileBanned === 1 && first.adapter.requestPauseMs === BAN_MS);
    expect(second.adapter.requestPauseMs).toBe(BAN_MS);
    await waitFor(() => clock.pending === 1, { message: 'the first book backing off' });

    // A gap on the second connection's book: resubscribed, its snapshot held like the first's.
    await snapshotHeldThroughBan(second, 2, 'the second book waiting out the ban');

    // The opt-out: an adapter with its own pause knows nothing of the ban and asks (the one request
    // that tells it). This is what every adapter did before the pause was shared.
    const isolated = leg({ market: 'spot', requestPause: 'private' }, exchange.urls.spotCombined, { book: OTHER_BOOK });
    await isolated.connection.whenReady(5_000);
    await waitFor(() => exchange.counters.requestsWhileBanned === 2 && isolated.adapter.requestPauseMs === BAN_MS, {
      message: 'the private pause learning of the ban by asking',
    });

    await clock.advance(BAN_MS);
    await bookStitched('spot', first, 2);
    await bookStitched('spot', second, 2);
    await bookStitched('spot', isolated, 1);
    expect(exchange.counters.requestsWhileBanned).toBe(2);
  });
});

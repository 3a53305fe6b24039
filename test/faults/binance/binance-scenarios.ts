import { waitFor } from '../../support/wait-for.js';
import { check } from '../harness-checks.js';
import type { MatrixScenario } from '../matrix-runner.js';
import { MALFORMED_REASONS, VENUE_MAX_BYTES, expectCircuitOpen, legsDown, sharedRows } from '../shared-rows.js';
import {
  BOOK,
  FAULT_ACCOUNT,
  type BinanceFaultHarness,
  type BinanceHarnessConfig,
  type BinanceInvariantLimits,
  type Leg,
} from './binance-fault-harness.js';

/** One row of the Binance fault matrix. Runnable on its own: it starts and closes its own world. */
export type BinanceFaultScenario = MatrixScenario<BinanceFaultHarness, BinanceHarnessConfig, BinanceInvariantLimits>;

const FAULT_SECRET = FAULT_ACCOUNT.secretKey;

const legsOf = (ctx: BinanceFaultHarness): Leg[] => [ctx.legs.spot, ctx.legs.user];

const rows = sharedRows<BinanceFaultHarness, BinanceHarnessConfig, BinanceInvariantLimits>(legsOf);

/** Lets time pass by the exchange's own clock of pings: `n` more server pings (~0.5 s each). */
function pingsPass(ctx: BinanceFaultHarness, n: number): Promise<unknown> {
  const target = ctx.exchange.counters.pingsSent + n;
  return waitFor(() => ctx.exchange.counters.pingsSent >= target, { timeoutMs: 15_000, message: `${n} more pings` });
}

/**
 * A make-before-break rotation on both legs: no down, one new socket each, every consumer's trades
 * contiguous (nothing missed) with no repeat, the book chain unbroken across the seam. User data
 * flows throughout: its events carry no order key, so the switch joins that channel on content
 * (the same event on both sockets); the shared invariants check its execution reports for repeats.
 */
async function expectRotated(ctx: BinanceFaultHarness, trigger: () => void, timeoutMs = 10_000): Promise<void> {
  const sockets = legsOf(ctx).map((leg) => leg.exchangeConnections.length);
  trigger();
  for (const leg of legsOf(ctx)) {
    await waitFor(() => leg.eventsOf('rotation').some((e) => e.phase === 'completed'), {
      timeoutMs,
      message: `${leg.name}: a completed rotation (${JSON.stringify(leg.eventsOf('rotation').map((e) => e.phase))})`,
    });
  }
  // Data flows on the new sockets only once the old ones are gone.
  await waitFor(() => ctx.exchange.connections().length === 2, { timeoutMs: 5_000, message: 'old sockets closed' });
  await ctx.waitForData(5);
  legsOf(ctx).forEach((leg, i) => {
    check(leg.eventsOf('down').length === 0, `${leg.name}: downs ${JSON.stringify(leg.eventsOf('down'))}`);
    check(
      leg.exchangeConnections.length === sockets[i]! + 1,
      `${leg.name}: ${leg.exchangeConnections.length - sockets[i]!} new sockets`,
    );
    for (const consumer of leg.consumers)
      check(consumer.tradeGaps.length === 0, `${leg.name}: missed trades ${consumer.tradeGaps.join('; ')}`);
  });
  const spot = ctx.legs.spot;
  check(spot.connection.stats().gaps === 0, `book gaps: ${spot.connection.stats().gaps}`);
  const forced = spot.connection.stats().rotations?.forcedChannels ?? 0;
  check(forced === 0, `channels forced without a join: ${forced}`);
}

export const binanceScenarios: BinanceFaultScenario[] = [
  ...rows.twoSocketDrops('one down per connection, one rebuild each, full restore (user data: a fresh signed subscribe)'),
  {
    name: 'server pings answered through the limiter',
    fault: 'no data at all (feed paused); the server pings every 0.5 s and cuts a socket whose pong is 1.5 s late',
    asserts:
      'every ping answered with its payload (pongs take frame slots, first in line): over 8 pings no pong timeout, no down; the pings keep the silence bound satisfied',
    async inject(ctx) {
      ctx.setPumpPaused(true);
      const pongs = ctx.exchange.counters.pongsReceived;
      await pingsPass(ctx, 8);
      ctx.setPumpPaused(false);
      check(ctx.exchange.counters.pongTimeouts === 0, `pong timeouts: ${ctx.exchange.counters.pongTimeouts}`);
      check(ctx.exchange.counters.pongsReceived >= pongs + 6, `pongs: ${ctx.exchange.counters.pongsReceived - pongs}`);
      for (const leg of legsOf(ctx)) check(leg.eventsOf('down').length === 0, `${leg.name} went down while idle`);
    },
  },
  {
    name: 'pongs ignored by the server',
    fault: '`setIgnorePongs(true)`: the server cuts every socket at its pong timeout (1000 `pong timeout`)',
    asserts: 'one down per connection (a server close, retryable), one rebuild each, full restore once pongs count again',
    async inject(ctx) {
      ctx.exchange.setIgnorePongs(true);
      await legsDown(legsOf(ctx), 1, 5_000);
      ctx.exchange.setIgnorePongs(false);
      check(ctx.exchange.counters.pongTimeouts >= 2, `pong timeouts: ${ctx.exchange.counters.pongTimeouts}`);
    },
  },
  rows.quietSockets('server pings paused, feeds quiet', {
    fault: '`setHeartbeatsPaused(true)` and no feed: the sockets are open but silent',
    asserts: 'silence bound applies to both: HEARTBEAT_TIMEOUT within bound + 200 ms, one rebuild each',
  }),
  {
    name: 'user data restored with a fresh signature after every rebuild',
    fault: 'three drops in a row, each after the session is ready again',
    asserts: 'four signed subscribes, one per socket, each with its own timestamp and signature, none refused',
    inject: rows.dropsInARow(3),
    expect(ctx) {
      const signed = ctx.legs.user.signedSubscribes;
      check(signed.length === 4, `signed subscribes written: ${signed.length}`);
      check(
        ctx.exchange.counters.userDataSubscriptions === 4 && ctx.exchange.counters.apiErrors === 0,
        `subscriptions ${ctx.exchange.counters.userDataSubscriptions}, errors ${ctx.exchange.counters.apiErrors}`,
      );
    },
  },
  {
    name: 'eventStreamTerminated',
    fault: '`endUserDataStreams()`: the venue ends the live user data subscription',
    asserts:
      'subscribed again on the same socket (a new signed request), no down, events flow on; the terminated event never reaches consumers',
    limits: { subscribeRequestsPerConnection: 2 },
    async inject(ctx) {
      const leg = ctx.legs.user;
      check(ctx.exchange.endUserDataStreams() === 1, 'no live subscription to end');
      await waitFor(() => ctx.exchange.counters.userDataSubscriptions === 2, { message: 'subscribed again' });
      check(leg.eventsOf('down').length === 0, 'the terminated stream rebuilt the session');
      check(leg.signedSubscribes.length === 2, `signed subscribes: ${leg.signedSubscribes.length}`);
    },
    expect(ctx) {
      check(ctx.legs.user.exchangeConnections.length === 1, 'a new socket was opened');
    },
  },
  {
    name: 'key revoked mid-session',
    fault: '`revokeApiKey`: `eventStreamTerminated` now, and every signed request refused with 401 / -2015',
    asserts:
      'user circuit opens at once with "API key rejected … (-2015)" in the error, no secret in it; no new socket while open; spot unaffected; closes after the cool-down once the key is back',
    // The venue's eventStreamTerminated makes the session sign a new subscribe (the one refused).
    limits: { circuitMayOpen: true, subscribeRequestsPerConnection: 2 },
    async inject(ctx) {
      const leg = ctx.legs.user;
      ctx.exchange.revokeApiKey(FAULT_ACCOUNT.apiKey);
      await ctx.waitForState(leg, 'circuit-open', 3_000);
      const last = leg.connection.stats().lastError;
      check(last?.code === 'INVALID_CREDENTIALS', `last error ${last?.code}`);
      check(last?.message.includes('API key rejected') === true && last.message.includes('(-2015)'), `message: ${last?.message}`);
      await expectCircuitOpen(leg, 'API key rejected');
      const sockets = leg.exchangeConnections.length;
      await pingsPass(ctx, 2);
      check(leg.exchangeConnections.length === sockets, 'new user sockets while the circuit was open');
      check(ctx.legs.spot.connection.state === 'ready', `spot ${ctx.legs.spot.connection.state}`);
      check(!ctx.errorMessages().some((m) => m.includes(FAULT_SECRET)), 'the secret reached an error');
      ctx.exchange.restoreApiKey(FAULT_ACCOUNT.apiKey);
    },
    expect(ctx) {
      check(ctx.legs.user.connection.stats().circuit === 'closed', 'circuit still open after recovery');
    },
  },
  {
    name: 'auth rejected on rebuild',
    fault: '`setRejectAuth(true)` (every signed request gets -2015), then a drop',
    asserts: 'user circuit opens at once (1 signed attempt, no retry); spot rebuilt and restored; closes after the cool-down',
    limits: { circuitMayOpen: true },
    async inject(ctx) {
      const leg = ctx.legs.user;
      ctx.exchange.setRejectAuth(true);
      ctx.exchange.terminateAll();
      await ctx.waitForState(leg, 'circuit-open', 3_000);
      check(leg.connection.stats().lastError?.code === 'INVALID_CREDENTIALS', `${leg.connection.stats().lastError?.code}`);
      check(leg.signedSubscribes.length === 2, `signed attempts: ${leg.signedSubscribes.length}`);
      ctx.exchange.setRejectAuth(false);
    },
  },
  {
    name: '-1003 rate limit on a re-subscribe',
    fault:
      '`setRateLimit({ capacity: 1, refillPerSec: 2 })` on the WebSocket API, then the venue ends the user data stream twice in a row',
    asserts: 'the second re-subscribe is refused with 429 / -1003, backed off and completed on the same socket; no down',
    limits: { subscribeRequestsPerConnection: 8 },
    async inject(ctx) {
      ctx.exchange.setRateLimit({ capacity: 1, refillPerSec: 2 });
      ctx.exchange.endUserDataStreams();
      await waitFor(() => ctx.exchange.counters.userDataSubscriptions === 2, { message: 'first re-subscribe' });
      ctx.exchange.endUserDataStreams();
      await waitFor(() => ctx.exchange.counters.userDataSubscriptions === 3, {
        timeoutMs: 8_000,
        message: 'second re-subscribe',
      });
      check(ctx.exchange.counters.rateLimited > 0, 'the rate limit never bit');
      ctx.exchange.setRateLimit(false);
    },
    expect(ctx) {
      for (const leg of legsOf(ctx)) check(leg.eventsOf('down').length === 0, `${leg.name} downs ${leg.eventsOf('down').length}`);
    },
  },
  rows.malformed(
    {
      fault: '`sendMalformed` garbage, binary, unknown-id, wrong-shape (stream data a string), deep-nesting',
      asserts:
        'spot: all five counted by reason; user data: four (its wrong-shape frame is a raw event it does not route); none reaches a consumer; no down',
    },
    (leg) => (leg.name === 'spot' ? MALFORMED_REASONS : MALFORMED_REASONS.filter((r) => r !== 'wrong-shape')),
  ),
  rows.oversized(
    {
      fault: '`sendOversized` between the venue cap (32 KiB) and `maxPayload` (64 KiB), then above (market streams)',
      asserts:
        'between: counted `too-large` and dropped, no down; above maxPayload: PAYLOAD_TOO_LARGE, spot rebuilt exactly once',
    },
    { adapter: { spot: { frameLimits: { maxBytes: VENUE_MAX_BYTES } } } },
    (ctx) => [ctx.legs.spot],
  ),
  {
    name: 'book gap → resync',
    fault: '`injectBookGap` on `btcusdt@depth@100ms`: one diff event is lost',
    asserts:
      'gap event; that stream alone unsubscribed and subscribed again, a new REST snapshot stitched; every consumer gets a second snapshot and never a broken chain; no rebuild',
    limits: { subscribeRequestsPerConnection: 2 },
    async inject(ctx) {
      const leg = ctx.legs.spot;
      const snapshots = ctx.exchange.counters.depthSnapshots;
      ctx.exchange.injectBookGap('spot', BOOK);
      await waitFor(() => leg.eventsOf('gap').length === 1, { message: 'a gap event' });
      await waitFor(() => leg.consumers.every((c) => (c.snapshots.get(BOOK) ?? 0) === 2), {
        message: 'a second snapshot to every consumer',
      });
      check(ctx.exchange.counters.depthSnapshots > snapshots, 'no new REST snapshot');
    },
    expect(ctx) {
      const leg = ctx.legs.spot;
      const session = leg.venue.currentSession!;
      check(session.unsubscribes.get(BOOK) === 1 && session.unsubscribes.size === 1, 'only the book stream was resynced');
      check(leg.eventsOf('down').length === 0 && leg.connection.stats().gaps === 1, 'gap handling rebuilt the session');
    },
  },
  {
    name: 'REST snapshot refused during a resync',
    fault: '`setRestRejection(429)`, then a book gap; lifted once 10 more trades reached a consumer',
    asserts:
      'the snapshot is retried with back-off (the book stays dark, nothing broken reaches consumers); stitched once REST answers; no rebuild',
    limits: { subscribeRequestsPerConnection: 2 },
    async inject(ctx) {
      const leg = ctx.legs.spot;
      ctx.exchange.setRestRejection(429);
      ctx.exchange.injectBookGap('spot', BOOK);
      await waitFor(() => leg.eventsOf('gap').length === 1, { message: 'a gap event' });
      // Counted, not timed: 10 more trades reach a consumer while REST refuses, and no snapshot does.
      const trades = leg.consumers[0]!.count('btcusdt@trade');
      await waitFor(() => leg.consumers[0]!.count('btcusdt@trade') >= trades + 10, { message: 'trades while the book is dark' });
      check(
        leg.consumers.every((c) => (c.snapshots.get(BOOK) ?? 0) === 1),
        'a snapshot arrived while REST refused',
      );
      ctx.exchange.setRestRejection(null);
      await waitFor(() => leg.consumers.every((c) => (c.snapshots.get(BOOK) ?? 0) === 2), {
        message: 'stitched after REST came back',
      });
    },
    expect(ctx) {
      check(ctx.legs.spot.eventsOf('down').length === 0, 'the refused snapshot rebuilt the session');
    },
  },
  {
    name: 'IP ban (418) during a resync',
    fault:
      '`banIp(1500)` and the venue ending the user data stream; once its re-subscribe was answered 418, a book gap on the spot connection',
    asserts:
      'one request reaches the banned exchange: the WebSocket API re-subscribe that learns of the ban (418 with its wait); the spot connection shares the spot pause and sends no REST snapshot until the ban ends; the book is stitched and user data re-subscribed after it, on the same sockets; no down',
    limits: { subscribeRequestsPerConnection: 3 },
    async inject(ctx) {
      const leg = ctx.legs.spot;
      const bannedAt = performance.now();
      ctx.exchange.banIp(1_500);
      ctx.exchange.endUserDataStreams();
      // Told before the gap: a request already in flight when the ban is learnt cannot be recalled.
      await waitFor(() => ctx.exchange.counters.requestsWhileBanned === 1 && leg.adapter.requestPauseMs > 0, {
        message: 'the user data re-subscribe answered 418, the pause shared with the spot connection',
      });
      ctx.exchange.injectBookGap('spot', BOOK);
      await waitFor(() => leg.consumers.every((c) => (c.snapshots.get(BOOK) ?? 0) === 2), {
        timeoutMs: 10_000,
        message: 'stitched after the ban',
      });
      await waitFor(() => ctx.exchange.counters.userDataSubscriptions === 2, {
        timeoutMs: 10_000,
        message: 're-subscribed after the ban',
      });
      // Both waited the stated time (the WebSocket API's retryAfter: 1.5 s) rather than knocking.
      check(performance.now() - bannedAt >= 1_400, `done ${Math.round(performance.now() - bannedAt)} ms after the ban`);
      check(
        ctx.exchange.counters.requestsWhileBanned === 1,
        `requests while banned: ${ctx.exchange.counters.requestsWhileBanned}`,
      );
    },
    expect(ctx) {
      for (const leg of legsOf(ctx)) check(leg.eventsOf('down').length === 0, `${leg.name} downs ${leg.eventsOf('down').length}`);
    },
  },
  rows.restartMidRestore(
    {
      fault: '`setResponseDelay(250)`, drop, then `restart()` while the signed subscribe is in flight',
      asserts: 'the half-built sessions are abandoned; the next ones restore everything once (a fresh signature)',
    },
    {
      legOf: (ctx) => ctx.legs.user,
      inFlight: (ctx, id) =>
        ctx.exchange.requestLog.some((e) => e.connectionId === id && e.method === 'userDataStream.subscribe.signature'),
      what: 'signed subscribe',
      state: 'restoring',
    },
  ),
  rows.dropDuringBatchedSubscribe(
    {
      fault:
        '12 spot streams in SUBSCRIBEs of 3 (paced 5 frames a second); answers delayed 120 ms; drop while they are in flight',
      asserts:
        'the in-flight and queued subscribes fail fast; on the new session every stream exactly once, never above the frame limit',
    },
    {
      config: { adapter: { spot: { maxStreamsPerRequest: 3, maxRequestsInFlight: 2 } } },
      limits: { subscribeRequestsPerConnection: 6 },
      addChannels(ctx) {
        const extra = ['btcusdt', 'ethusdt'].flatMap((s) => [`${s}@ticker`, `${s}@depth`, `${s}@bookTicker`, `${s}@trade`]);
        ctx.addConsumer(ctx.legs.spot, extra);
      },
      heldOnSocket: (ctx) => ctx.liveConnections(ctx.legs.spot)[0]?.streams.length,
      legOf: (ctx) => ctx.legs.spot,
      inFlight: (ctx, id) => ctx.exchange.requestLog.some((e) => e.connectionId === id && e.method === 'SUBSCRIBE'),
      what: 'SUBSCRIBE',
    },
  ),
  {
    name: 'serverShutdown rotated make-before-break',
    fault: '`sendServerShutdown({ closeAfterMs: 4000 })`: the notice on both sockets, then close 1001',
    asserts:
      'both rotate before the close: a new socket each, fully restored, then the old one closed; no down; every trade `t` once and none missed, the book chain unbroken (no gap, no forced channel); user data flowing throughout, joined on content',
    async inject(ctx) {
      await expectRotated(ctx, () => ctx.exchange.sendServerShutdown({ closeAfterMs: 4_000 }));
    },
  },
  {
    name: '24 h cut rotated ahead (scaled to 10 s)',
    fault:
      'the exchange closes every socket 10 s after it opened (`connectionLifetimeMs`); the adapter declares the same lifetime',
    asserts:
      'each socket is rotated before the cut (`rotateAfterMs` 4 s): no down, no lifetime close reached a serving socket; every trade once and none missed, the book chain unbroken',
    config: {
      exchange: { connectionLifetimeMs: 10_000 },
      adapter: { spot: { maxSocketLifetimeMs: 10_000 }, user: { maxSocketLifetimeMs: 10_000 } },
      // Early (4 s), so the row sees one rotation and ends before the next.
      rotation: { rotateAfterMs: 4_000 },
    },
    async inject(ctx) {
      await expectRotated(ctx, () => undefined);
    },
    expect(ctx) {
      check(ctx.exchange.counters.lifetimeCloses === 0, `lifetime closes: ${ctx.exchange.counters.lifetimeCloses}`);
    },
  },
  rows.flapping(10, {
    fault: 'drop every 200 ms until each connection went down 10 times',
    asserts:
      'both end ready with the exact set; reconnects = downs (one build per drop, never two); circuit never opens; frame limit held',
  }),
];

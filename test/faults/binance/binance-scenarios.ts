import { sleep, waitFor } from '../../support/wait-for.js';
import { check } from '../harness-checks.js';
import {
  BOOK,
  CLIENT_MAX_PAYLOAD,
  FAULT_ACCOUNT,
  type BinanceFaultHarness,
  type BinanceHarnessConfig,
  type BinanceInvariantLimits,
  type Leg,
} from './binance-fault-harness.js';

/** One row of the Binance fault matrix. Runnable on its own: it starts and closes its own world. */
export interface BinanceFaultScenario {
  name: string;
  /** The fault, for the README table. */
  fault: string;
  /** One line for the README table: what the row proves beyond the shared invariants. */
  asserts: string;
  config?: BinanceHarnessConfig;
  limits?: BinanceInvariantLimits;
  setup?(ctx: BinanceFaultHarness): Promise<void> | void;
  inject(ctx: BinanceFaultHarness): Promise<void>;
  expect?(ctx: BinanceFaultHarness): Promise<void> | void;
}

/** Sweep period (50 ms) plus timer and poll latency: how late past the silence bound detection may land. */
const DETECTION_SLACK_MS = 200;
/** Frame cap of the oversized row: above it frames are dropped (`too-large`), below maxPayload. */
const VENUE_MAX_BYTES = 32 * 1024;
const FAULT_SECRET = FAULT_ACCOUNT.secretKey;

const legsOf = (ctx: BinanceFaultHarness): Leg[] => [ctx.legs.spot, ctx.legs.user];

async function bothDown(ctx: BinanceFaultHarness, n = 1, timeoutMs = 5_000): Promise<void> {
  for (const leg of legsOf(ctx)) await ctx.waitForDowns(leg, n, timeoutMs);
}

/** Lets time pass by the exchange's own clock of pings: `n` more server pings (~0.5 s each). */
function pingsPass(ctx: BinanceFaultHarness, n: number): Promise<unknown> {
  const target = ctx.exchange.counters.pingsSent + n;
  return waitFor(() => ctx.exchange.counters.pingsSent >= target, { timeoutMs: 15_000, message: `${n} more pings` });
}

const serverClose = (code: number, label: string): BinanceFaultScenario => ({
  name: `server close ${code}`,
  fault: `close frame ${code} (${label}) to both sockets`,
  asserts: 'one down per connection, one rebuild each, full restore (user data: a fresh signed subscribe)',
  async inject(ctx) {
    ctx.exchange.closeAll(code, label);
    await bothDown(ctx);
  },
  expect(ctx) {
    for (const leg of legsOf(ctx)) check(leg.eventsOf('down').length === 1, `${leg.name} downs: ${leg.eventsOf('down').length}`);
  },
});

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
  serverClose(1000, 'normal'),
  serverClose(1001, 'going away'),
  serverClose(1011, 'internal error'),
  {
    name: 'terminate without close frame',
    fault: 'exchange destroys both sockets (clients see 1006)',
    asserts: 'one down per connection, one rebuild each, full restore',
    async inject(ctx) {
      ctx.exchange.terminateAll();
      await bothDown(ctx);
    },
  },
  {
    name: 'TCP reset through the proxy',
    fault: 'proxy sends RST both ways on both sockets',
    asserts: 'one down per connection, one rebuild each, full restore',
    async inject(ctx) {
      ctx.proxy.resetAll();
      await bothDown(ctx);
    },
  },
  {
    name: 'half-open black hole',
    fault: 'proxy forwards nothing, closes nothing',
    asserts: 'both detected by the silence bound (HEARTBEAT_TIMEOUT) within bound + 200 ms; rebuilt once the link is back',
    async inject(ctx) {
      const started = Date.now();
      ctx.proxy.setBlackHole(true);
      await bothDown(ctx, 1, ctx.silenceTimeoutMs + 2_000);
      const detectedAfter = Date.now() - started;
      ctx.proxy.setBlackHole(false);
      check(detectedAfter <= ctx.silenceTimeoutMs + DETECTION_SLACK_MS, `detected after ${detectedAfter} ms`);
      for (const leg of legsOf(ctx))
        check(leg.eventsOf('down')[0]!.code === 'HEARTBEAT_TIMEOUT', `${leg.name} down ${leg.eventsOf('down')[0]!.code}`);
    },
  },
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
      await bothDown(ctx, 1, 5_000);
      ctx.exchange.setIgnorePongs(false);
      check(ctx.exchange.counters.pongTimeouts >= 2, `pong timeouts: ${ctx.exchange.counters.pongTimeouts}`);
    },
  },
  {
    name: 'server pings paused, feeds quiet',
    fault: '`setHeartbeatsPaused(true)` and no feed: the sockets are open but silent',
    asserts: 'silence bound applies to both: HEARTBEAT_TIMEOUT within bound + 200 ms, one rebuild each',
    async inject(ctx) {
      ctx.setPumpPaused(true);
      ctx.exchange.setHeartbeatsPaused(true);
      const started = Date.now();
      await bothDown(ctx, 1, ctx.silenceTimeoutMs + 2_000);
      const detectedAfter = Date.now() - started;
      ctx.exchange.setHeartbeatsPaused(false);
      ctx.setPumpPaused(false);
      check(detectedAfter <= ctx.silenceTimeoutMs + DETECTION_SLACK_MS, `detected after ${detectedAfter} ms`);
      for (const leg of legsOf(ctx))
        check(leg.eventsOf('down')[0]!.code === 'HEARTBEAT_TIMEOUT', `${leg.name} down ${leg.eventsOf('down')[0]!.code}`);
    },
  },
  {
    name: 'user data restored with a fresh signature after every rebuild',
    fault: 'three drops in a row, each after the session is ready again',
    asserts: 'four signed subscribes, one per socket, each with its own timestamp and signature, none refused',
    async inject(ctx) {
      for (let drop = 1; drop <= 3; drop++) {
        ctx.exchange.terminateAll();
        await bothDown(ctx, drop);
        for (const leg of legsOf(ctx)) await ctx.waitForState(leg, 'ready');
      }
    },
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
      await leg.connection.whenReady(100).then(
        () => check(false, 'whenReady resolved with an open circuit'),
        (error: { code?: string; message?: string }) =>
          check(
            error.code === 'CIRCUIT_OPEN' && error.message?.includes('API key rejected') === true,
            `whenReady: ${error.message}`,
          ),
      );
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
  {
    name: 'malformed frames',
    fault: '`sendMalformed` garbage, binary, unknown-id, wrong-shape (stream data a string), deep-nesting',
    asserts:
      'spot: all five counted by reason; user data: four (its wrong-shape frame is a raw event it does not route); none reaches a consumer; no down',
    async inject(ctx) {
      const before = legsOf(ctx).map((leg) => leg.connection.stats());
      for (const kind of ['garbage', 'binary', 'unknown-id', 'wrong-shape', 'deep-nesting'] as const)
        ctx.exchange.sendMalformed(kind);
      await waitFor(
        () =>
          ctx.legs.spot.connection.stats().malformedFrames >= before[0]!.malformedFrames + 5 &&
          ctx.legs.user.connection.stats().malformedFrames >= before[1]!.malformedFrames + 4,
        { message: 'malformed frames counted' },
      );
      await ctx.waitForData(2);
      legsOf(ctx).forEach((leg, i) => {
        const after = leg.connection.stats();
        const reasons =
          leg.name === 'spot'
            ? ['unparsable', 'binary', 'unknown-id', 'wrong-shape', 'too-deep']
            : ['unparsable', 'binary', 'unknown-id', 'too-deep'];
        for (const reason of reasons) {
          const added = (after.malformedByReason[reason] ?? 0) - (before[i]!.malformedByReason[reason] ?? 0);
          check(added === 1, `${leg.name} ${reason}: ${added}`);
        }
        check(leg.eventsOf('down').length === 0, `${leg.name}: a malformed frame killed the session`);
      });
    },
  },
  {
    name: 'oversized frames',
    fault: '`sendOversized` between the venue cap (32 KiB) and `maxPayload` (64 KiB), then above (market streams)',
    asserts: 'between: counted `too-large` and dropped, no down; above maxPayload: PAYLOAD_TOO_LARGE, spot rebuilt exactly once',
    config: { adapter: { spot: { frameLimits: { maxBytes: VENUE_MAX_BYTES } } } },
    async inject(ctx) {
      const leg = ctx.legs.spot;
      ctx.exchange.sendOversized(VENUE_MAX_BYTES + 1_024);
      await waitFor(() => leg.connection.stats().malformedByReason['too-large'] === 1, { message: 'too-large counted' });
      await ctx.waitForData(2);
      check(leg.eventsOf('down').length === 0, 'a frame below maxPayload killed the session');
      ctx.exchange.sendOversized(CLIENT_MAX_PAYLOAD + 1_024);
      await ctx.waitForDowns(leg, 1);
      check(leg.eventsOf('down')[0]!.code === 'PAYLOAD_TOO_LARGE', `down ${leg.eventsOf('down')[0]!.code}`);
    },
    expect(ctx) {
      check(ctx.legs.spot.eventsOf('down').length === 1, `spot downs ${ctx.legs.spot.eventsOf('down').length}`);
      check(ctx.legs.user.eventsOf('down').length === 0, 'user data went down');
    },
  },
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
    name: 'exchange restart mid-restore',
    fault: '`setResponseDelay(250)`, drop, then `restart()` while the signed subscribe is in flight',
    asserts: 'the half-built sessions are abandoned; the next ones restore everything once (a fresh signature)',
    async inject(ctx) {
      const leg = ctx.legs.user;
      const socketsBefore = leg.exchangeConnections.length;
      ctx.exchange.setResponseDelay(250);
      ctx.exchange.terminateAll();
      await waitFor(
        () => {
          const id = leg.exchangeConnections[socketsBefore];
          return (
            id !== undefined &&
            ctx.exchange.requestLog.some((e) => e.connectionId === id && e.method === 'userDataStream.subscribe.signature')
          );
        },
        { message: 'signed subscribe in flight on the new user socket' },
      );
      check(leg.connection.state === 'restoring', `state ${leg.connection.state}`);
      await ctx.exchange.restart();
      ctx.exchange.setResponseDelay(0);
      await ctx.waitForDowns(leg, 2);
    },
  },
  {
    name: 'drop during a batched subscribe',
    fault: '12 spot streams in SUBSCRIBEs of 3 (paced 5 frames a second); answers delayed 120 ms; drop while they are in flight',
    asserts:
      'the in-flight and queued subscribes fail fast; on the new session every stream exactly once, never above the frame limit',
    config: { adapter: { spot: { maxStreamsPerRequest: 3, maxRequestsInFlight: 2 } } },
    limits: { subscribeRequestsPerConnection: 6 },
    async setup(ctx) {
      const extra = ['btcusdt', 'ethusdt'].flatMap((s) => [`${s}@ticker`, `${s}@depth`, `${s}@bookTicker`, `${s}@trade`]);
      ctx.addConsumer(ctx.legs.spot, extra);
      await waitFor(() => ctx.liveConnections(ctx.legs.spot)[0]?.streams.length === ctx.legs.spot.desired.size, {
        message: 'all streams subscribed',
      });
    },
    async inject(ctx) {
      const leg = ctx.legs.spot;
      const socketsBefore = leg.exchangeConnections.length;
      ctx.exchange.setResponseDelay(120);
      ctx.exchange.terminateAll();
      await waitFor(
        () => {
          const id = leg.exchangeConnections[socketsBefore];
          return id !== undefined && ctx.exchange.requestLog.some((e) => e.connectionId === id && e.method === 'SUBSCRIBE');
        },
        { message: 'a SUBSCRIBE in flight on the new socket' },
      );
      check(leg.connection.state === 'restoring', `state ${leg.connection.state}`);
      ctx.exchange.terminateAll();
      ctx.exchange.setResponseDelay(0);
      await ctx.waitForDowns(leg, 2);
    },
  },
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
  {
    name: 'repeated flapping',
    fault: 'drop every 200 ms until each connection went down 10 times',
    asserts:
      'both end ready with the exact set; reconnects = downs (one build per drop, never two); circuit never opens; frame limit held',
    async inject(ctx) {
      const deadline = Date.now() + 30_000;
      while (legsOf(ctx).some((leg) => leg.eventsOf('down').length < 10) && Date.now() < deadline) {
        ctx.exchange.terminateAll();
        await sleep(200);
      }
      for (const leg of legsOf(ctx)) {
        const downs = leg.eventsOf('down').length;
        check(downs >= 10, `${leg.name}: only ${downs} drops took effect`);
        ctx.notes.push(`flapping: ${leg.name} ${downs} downs`);
      }
    },
  },
];

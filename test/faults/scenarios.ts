import { concatMap, map, tap, timer } from 'rxjs';
import { sleep, waitFor } from '../support/wait-for.js';
import { BOOK, CLIENT_MAX_PAYLOAD, TICKER, TRADES, type FaultHarness } from './fault-harness.js';
import type { FaultScenario } from './run-scenario.js';

export type { FaultScenario } from './run-scenario.js';

/** The oversized row's venue cap (frameLimits.maxBytes), half the client's maxPayload. */
const VENUE_MAX_BYTES = CLIENT_MAX_PAYLOAD / 2;

/** Tickers the slow-consumer rows watch go by (about 2 s and 1.5 s of the 40/s feed on an idle machine). */
const BACKLOG_TICKS = 80;
const BLOCKING_TICKS = 30;

/** Sweep period (50 ms) plus timer and poll latency: how late past the silence bound detection may land. */
const DETECTION_SLACK_MS = 200;

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function lastErrorCode(ctx: FaultHarness): string | undefined {
  return ctx.connection.stats().lastError?.code;
}

/** The newest exchange connection id after `afterId` on which `method` was logged. */
function waitForMethodOnNewConnection(ctx: FaultHarness, method: string, afterId: number, timeoutMs = 5_000): Promise<number> {
  return waitFor(() => ctx.exchange.requestLog.find((r) => r.method === method && r.connectionId > afterId)?.connectionId, {
    timeoutMs,
    message: `${method} on a connection after #${afterId}`,
  });
}

/**
 * Rotation rows: every ticker and trade the pump published reached every consumer exactly once
 * (counts equal; the shared invariants already refuse a repeat and a broken book chain), no
 * drop, no rebuild, and no channel forced over by the overlap bound.
 */
async function expectRotatedWithoutLoss(ctx: FaultHarness, rotations: number): Promise<void> {
  const stats = ctx.connection.stats();
  check(
    ctx.eventsOf('down').length === 0 && stats.reconnects === 0,
    `downs ${ctx.eventsOf('down').length}, reconnects ${stats.reconnects}`,
  );
  check((stats.rotations?.completed ?? 0) >= rotations, `rotations completed: ${JSON.stringify(stats.rotations)}`);
  check(stats.rotations?.forcedChannels === 0, `channels forced over: ${stats.rotations?.forcedChannels}`);
  check(ctx.eventsOf('gap').length === 0, 'a rotation made a book gap');
  ctx.setPumpPaused(true);
  await waitFor(
    () =>
      ctx.consumers.every((c) => c.count(TICKER) === ctx.published.get(TICKER) && c.count(TRADES) === ctx.published.get(TRADES)),
    {
      message: `every consumer to have every ticker and trade: published ${ctx.published.get(TICKER)}/${ctx.published.get(TRADES)}, got ${ctx.consumers
        .map((c) => `${c.count(TICKER)}/${c.count(TRADES)}`)
        .join(' ')}`,
    },
  );
  ctx.setPumpPaused(false);
}

/** The rotation's result, once it ends. */
function rotationPhases(ctx: FaultHarness): string[] {
  return ctx.eventsOf('rotation').map((e) => e.phase);
}

const serverClose = (code: number, label: string): FaultScenario => ({
  name: `server close ${code}`,
  fault: `close frame ${code} (${label}) from the exchange`,
  asserts: 'one down, one rebuild, full restore',
  async inject(ctx) {
    ctx.exchange.closeAll(code, label);
    await ctx.waitForDowns(1);
  },
  expect(ctx) {
    check(ctx.eventsOf('down').length === 1, `downs: ${ctx.eventsOf('down').length}`);
  },
});

/** 48 grouped-book channels: a batched subscribe of 52 channels on restore. */
const GROUPED_BOOKS = ['none', '1', '2', '5', '10', '25', '100', '250'].flatMap((group) =>
  [1, 10, 20].flatMap((depth) => ['100ms', 'agg2'].map((interval) => `book.BTC-PERPETUAL.${group}.${depth}.${interval}`)),
);

export const scenarios: FaultScenario[] = [
  serverClose(1000, 'normal'),
  serverClose(1001, 'going away'),
  serverClose(1011, 'internal error'),
  {
    name: 'terminate without close frame',
    fault: 'exchange destroys the socket (client sees 1006)',
    asserts: 'one down, one rebuild, full restore',
    async inject(ctx) {
      ctx.exchange.terminateAll();
      await ctx.waitForDowns(1);
    },
  },
  {
    name: 'TCP reset through the proxy',
    fault: 'proxy sends RST both ways',
    asserts: 'one down, one rebuild, full restore',
    async inject(ctx) {
      ctx.proxy.resetAll();
      await ctx.waitForDowns(1);
    },
  },
  {
    name: 'half-open black hole',
    fault: 'proxy forwards nothing, closes nothing',
    asserts: 'detected by the silence bound (HEARTBEAT_TIMEOUT) within bound + 200 ms; rebuilt once the link is back',
    async inject(ctx) {
      const started = Date.now();
      ctx.proxy.setBlackHole(true);
      await ctx.waitForDowns(1, ctx.silenceTimeoutMs + 2_000);
      const detectedAfter = Date.now() - started;
      ctx.proxy.setBlackHole(false);
      check(
        detectedAfter <= ctx.silenceTimeoutMs + DETECTION_SLACK_MS,
        `detected after ${detectedAfter} ms (bound ${ctx.silenceTimeoutMs})`,
      );
      check(ctx.eventsOf('down')[0]!.code === 'HEARTBEAT_TIMEOUT', `down code ${ctx.eventsOf('down')[0]!.code}`);
    },
  },
  {
    name: 'heartbeats paused, data flowing',
    fault: '`setHeartbeatsPaused(true)` while feeds publish',
    asserts: 'nothing happens for 2× the silence bound: no down, no rebuild (data proves the socket alive)',
    async inject(ctx) {
      const sent = ctx.exchange.counters.testRequestsSent;
      ctx.exchange.setHeartbeatsPaused(true);
      await sleep(ctx.silenceTimeoutMs * 2);
      ctx.exchange.setHeartbeatsPaused(false);
      check(ctx.exchange.counters.testRequestsSent <= sent + 1, 'test_requests kept coming while paused');
      check(ctx.eventsOf('down').length === 0, `unexpected down: ${JSON.stringify(ctx.eventsOf('down'))}`);
    },
    expect(ctx) {
      check(ctx.connection.stats().reconnects === 0, 'rebuilt although data was flowing');
    },
  },
  {
    name: 'heartbeats paused, feeds quiet',
    fault: '`setHeartbeatsPaused(true)` and no feed: the socket is open but silent',
    asserts: 'silence bound applies: HEARTBEAT_TIMEOUT within bound + 200 ms, one rebuild',
    async inject(ctx) {
      ctx.setPumpPaused(true);
      ctx.exchange.setHeartbeatsPaused(true);
      const started = Date.now();
      await ctx.waitForDowns(1, ctx.silenceTimeoutMs + 2_000);
      const detectedAfter = Date.now() - started;
      ctx.exchange.setHeartbeatsPaused(false);
      ctx.setPumpPaused(false);
      check(detectedAfter <= ctx.silenceTimeoutMs + DETECTION_SLACK_MS, `detected after ${detectedAfter} ms`);
      check(ctx.eventsOf('down')[0]!.code === 'HEARTBEAT_TIMEOUT', `down code ${ctx.eventsOf('down')[0]!.code}`);
    },
  },
  {
    name: 'test_request unanswered',
    fault: '`setIgnoreTestAnswers(true)`: the exchange closes the socket on the missed test_request',
    asserts: 'exchange heartbeat close counted; one down, one rebuild',
    async inject(ctx) {
      ctx.exchange.setIgnoreTestAnswers(true);
      await ctx.waitForDowns(1, 3_000);
      ctx.exchange.setIgnoreTestAnswers(false);
      check(ctx.exchange.counters.heartbeatCloses === 1, `heartbeatCloses ${ctx.exchange.counters.heartbeatCloses}`);
    },
  },
  {
    name: 'auth rejected on rebuild',
    fault: '`setRejectAuth(true)`, then a drop',
    asserts:
      'circuit opens at once (state `circuit-open`, 1 auth attempt, no new socket for 1 s); closes after the cool-down once auth works',
    limits: { circuitMayOpen: true },
    async inject(ctx) {
      const lastId = ctx.currentConnectionId() ?? 0;
      ctx.exchange.setRejectAuth(true);
      ctx.exchange.terminateAll();
      await ctx.waitForState('circuit-open', 3_000);
      check(ctx.connection.stats().circuit === 'open', `circuit ${ctx.connection.stats().circuit}`);
      check(lastErrorCode(ctx) === 'INVALID_CREDENTIALS', `last error ${lastErrorCode(ctx)}`);
      await ctx.connection.whenReady(100).then(
        () => check(false, 'whenReady resolved with an open circuit'),
        (error: { code?: string }) => check(error.code === 'CIRCUIT_OPEN', `whenReady rejected with ${error.code}`),
      );
      const connections = ctx.exchange.counters.connections;
      await sleep(1_000); // a window in which nothing may happen
      const authAttempts = ctx.exchange.requestLog.filter((r) => r.method === 'public/auth' && r.connectionId > lastId).length;
      check(authAttempts === 1, `auth attempts while rejected: ${authAttempts}`);
      check(ctx.exchange.counters.connections === connections, 'new sockets while the circuit was open');
      check(ctx.connection.state === 'circuit-open', `state ${ctx.connection.state}`);
      ctx.exchange.setRejectAuth(false);
    },
    expect(ctx) {
      check(ctx.connection.stats().circuit === 'closed', 'circuit still open after recovery');
    },
  },
  {
    name: 'token expiry, scheduled refresh',
    fault: '`expireTokens()` on a 1 s token',
    asserts: 'refreshed with the refresh token on the same socket: no rebuild, private data and private calls go on',
    config: { exchange: { tokenTtlSec: 1 } },
    limits: { authCallsPerConnection: 50 },
    async inject(ctx) {
      const refreshes = ctx.exchange.counters.refresh;
      ctx.exchange.expireTokens();
      await waitFor(() => ctx.exchange.counters.refresh > refreshes, { timeoutMs: 3_000, message: 'a refresh' });
      await ctx.connection.request('private/get_cancel_on_disconnect', {});
    },
    expect(ctx) {
      check(ctx.eventsOf('down').length === 0, 'rebuilt on token expiry');
    },
  },
  {
    name: 'token expiry, then a new private channel',
    fault: '`expireTokens()`, then a consumer adds `user.trades…raw` (private/subscribe → 13009)',
    asserts: 're-authenticated on the same socket, no rebuild; the new private channel subscribed once, old ones kept',
    limits: { subscribeCallsPerConnection: 4, authCallsPerConnection: 2 },
    async inject(ctx) {
      ctx.exchange.expireTokens();
      ctx.watch(ctx.consumers[0]!, ['user.trades.BTC-PERPETUAL.raw']);
      await waitFor(() => ctx.exchange.connections()[0]?.subscriptions.includes('user.trades.BTC-PERPETUAL.raw'), {
        message: 'the new private channel subscribed',
      });
      check(ctx.eventsOf('down').length === 0, `downs ${ctx.eventsOf('down').length}`);
      check(ctx.methodCount('public/auth') === 2, `auth calls ${ctx.methodCount('public/auth')}`);
    },
  },
  {
    name: '10028 rate limit during restore',
    fault: '`setRateLimit({ capacity: 3, refillPerSec: 5 })`, then a drop',
    asserts: 'restore backs off on 10028 and completes on the same socket; each channel still once',
    config: { heartbeatIntervalSec: 1 },
    limits: { subscribeCallsPerConnection: 16, authCallsPerConnection: 8 },
    async inject(ctx) {
      ctx.exchange.setRateLimit({ capacity: 3, refillPerSec: 5 });
      ctx.exchange.terminateAll();
      await ctx.waitForDowns(1);
      await ctx.waitForState('ready', 8_000);
      check(ctx.exchange.counters.rateLimited > 0, 'the rate limit never bit');
      ctx.exchange.setRateLimit(false);
    },
    expect(ctx) {
      check(ctx.eventsOf('down').length === 1, `downs ${ctx.eventsOf('down').length}`);
    },
  },
  {
    name: 'malformed frames',
    fault: '`sendMalformed` garbage, binary, unknown-id, wrong-shape, deep-nesting',
    asserts:
      'all five counted as malformed, by reason (deep-nesting is valid JSON-RPC but 10,000 levels deep: `too-deep`); none reaches a consumer; no down',
    async inject(ctx) {
      const before = ctx.connection.stats();
      let deepDelivered = 0;
      ctx.own(
        ctx.connection.channel$(TICKER).subscribe((data) => {
          if (Array.isArray(data)) deepDelivered += 1;
        }),
      );
      for (const kind of ['garbage', 'binary', 'unknown-id', 'wrong-shape', 'deep-nesting'] as const)
        ctx.exchange.sendMalformed(kind);
      await waitFor(() => ctx.connection.stats().malformedFrames >= before.malformedFrames + 5, {
        message: 'malformed frames counted',
      });
      await ctx.waitForData(2);
      const after = ctx.connection.stats();
      check(after.malformedFrames === before.malformedFrames + 5, `malformed ${after.malformedFrames - before.malformedFrames}`);
      for (const reason of ['unparsable', 'binary', 'unknown-id', 'wrong-shape', 'too-deep']) {
        const added = (after.malformedByReason[reason] ?? 0) - (before.malformedByReason[reason] ?? 0);
        check(added === 1, `${reason}: ${added}`);
      }
      check(deepDelivered === 0, 'the deeply nested data reached a ticker consumer');
      check(ctx.eventsOf('down').length === 0, 'a malformed frame killed the session');
    },
  },
  {
    name: 'oversized frames',
    fault: '`sendOversized` just below the venue cap (32 KiB), between it and the client `maxPayload` (64 KiB), then above',
    asserts:
      'below the cap: delivered; between: counted `too-large` and dropped, no down; above maxPayload: PAYLOAD_TOO_LARGE, rebuilt exactly once',
    config: { venueFrameLimits: { maxBytes: VENUE_MAX_BYTES } },
    async inject(ctx) {
      const padded: number[] = [];
      ctx.own(
        ctx.connection.channel$<{ padding?: string }>(TICKER).subscribe((data) => {
          if (typeof data.padding === 'string') padded.push(data.padding.length);
        }),
      );
      ctx.exchange.sendOversized(VENUE_MAX_BYTES - 1_024);
      await waitFor(() => padded.length === 1, { message: 'the frame below the cap delivered' });
      ctx.exchange.sendOversized(VENUE_MAX_BYTES + 1_024);
      await waitFor(() => ctx.connection.stats().malformedByReason['too-large'] === 1, { message: 'too-large counted' });
      await ctx.waitForData(2);
      check(padded.length === 1, `frames above the cap delivered: ${padded.length - 1}`);
      check(ctx.eventsOf('down').length === 0, 'a frame below maxPayload killed the session');
      ctx.exchange.sendOversized(CLIENT_MAX_PAYLOAD + 1_024);
      await ctx.waitForDowns(1);
      check(ctx.eventsOf('down')[0]!.code === 'PAYLOAD_TOO_LARGE', `down code ${ctx.eventsOf('down')[0]!.code}`);
    },
    expect(ctx) {
      check(ctx.eventsOf('down').length === 1, `downs ${ctx.eventsOf('down').length}`);
    },
  },
  {
    name: 'slow consumer (async backlog)',
    fault: 'one consumer processes each ticker through `concatMap(delay 60 ms)` at 40 msg/s in',
    asserts:
      'other consumers get every message, no rebuild; backlog grows linearly (≈ in − out rate), is bounded by what was delivered, and is freed on unsubscribe',
    async inject(ctx) {
      let entered = 0;
      let processed = 0;
      let sampleBytes = 0;
      const slow = ctx.connection
        .channel$(TICKER)
        .pipe(
          tap((m) => {
            entered++;
            if (sampleBytes === 0) sampleBytes = JSON.stringify(m).length;
          }),
          concatMap((m) => timer(60).pipe(map(() => m))),
        )
        .subscribe(() => processed++);
      ctx.own(slow);
      const fastBefore = ctx.consumers.map((c) => c.count(TICKER));
      const publishedBefore = ctx.published.get(TICKER) ?? 0;
      // ~2 s of feed at 40/s, counted in tickers rather than time: a busy machine slows the feed.
      await waitFor(() => (ctx.published.get(TICKER) ?? 0) - publishedBefore >= BACKLOG_TICKS, {
        timeoutMs: 30_000,
        message: `${BACKLOG_TICKS} tickers published`,
      });
      // The one published last may still be on its way to the consumers.
      await waitFor(() => ctx.consumers.every((c, i) => c.count(TICKER) - fastBefore[i]! >= BACKLOG_TICKS), {
        message: 'the published tickers delivered',
      });
      const published = (ctx.published.get(TICKER) ?? 0) - publishedBefore;
      const backlog = entered - processed;
      slow.unsubscribe();
      // Other consumers saw every published tick (± the one in flight at either end).
      ctx.consumers.forEach((c, i) =>
        check(Math.abs(c.count(TICKER) - fastBefore[i]! - published) <= 2, `consumer ${i} missed ticks`),
      );
      check(entered >= published - 2, `slow consumer entered ${entered} of ${published}`);
      check(backlog > 0 && backlog <= entered, `backlog ${backlog}`);
      // (in − out) × t: 40/s in, ≤ 16.7/s out over 2 s → ~47; a bound that catches amplification.
      check(backlog <= published, `backlog ${backlog} > published ${published}`);
      check(ctx.eventsOf('down').length === 0 && ctx.connection.state === 'ready', 'a slow consumer disturbed the connection');
      ctx.notes.push(
        `slow consumer: ${published} in, ${processed} processed, backlog ${backlog} × ~${sampleBytes} B ≈ ${Math.round((backlog * sampleBytes) / 1024)} KiB held by concatMap`,
      );
    },
  },
  {
    name: 'slow consumer (blocking work)',
    fault: 'one consumer burns 4 ms of CPU per ticker (blocks the event loop ~16%)',
    asserts: 'every consumer still sees every message in order; no rebuild (lag stays far below the silence bound)',
    async inject(ctx) {
      const heavy = ctx.addConsumer([TICKER]);
      const burn = ctx.connection.channel$(TICKER).subscribe(() => {
        const until = performance.now() + 4;
        while (performance.now() < until) {
          /* heavy synchronous work */
        }
      });
      ctx.own(burn);
      const before = ctx.consumers.map((c) => c.count(TICKER));
      const heavyBefore = heavy.count(TICKER);
      // A number of tickers, not a span of time: a busy machine slows the feed, not the verdict.
      await waitFor(() => heavy.count(TICKER) - heavyBefore >= BLOCKING_TICKS, {
        timeoutMs: 30_000,
        message: `${BLOCKING_TICKS} tickers past the blocking consumer`,
      });
      burn.unsubscribe();
      const gained = ctx.consumers.map((c, i) => c.count(TICKER) - before[i]!);
      check(new Set(gained).size === 1 && gained[0]! >= BLOCKING_TICKS, `ticker deliveries per consumer: ${gained.join(',')}`);
      check(heavy.count(TICKER) > 0, 'heavy consumer got nothing');
      check(ctx.eventsOf('down').length === 0, 'blocking consumer caused a rebuild');
    },
  },
  {
    name: 'exchange restart mid-restore',
    fault: '`setResponseDelay(250)`, drop, then `restart()` while auth is in flight',
    asserts: 'the half-built session is abandoned; the next one restores everything once',
    async inject(ctx) {
      const lastId = ctx.currentConnectionId() ?? 0;
      ctx.exchange.setResponseDelay(250);
      ctx.exchange.terminateAll();
      await waitForMethodOnNewConnection(ctx, 'public/auth', lastId);
      check(ctx.connection.state === 'authenticating', `state ${ctx.connection.state}`);
      await ctx.exchange.restart();
      ctx.exchange.setResponseDelay(0);
      await ctx.waitForDowns(2);
    },
  },
  {
    name: 'drop during a batched subscribe',
    fault: '52 channels; responses delayed 120 ms; drop while `public/subscribe` is in flight',
    asserts: 'the in-flight subscribe fails fast; on the new session every channel exactly once',
    limits: { subscribeCallsPerConnection: 3 }, // the first connection also subscribed the 48 added channels
    async setup(ctx) {
      ctx.addConsumer(GROUPED_BOOKS);
      await waitFor(() => ctx.exchange.connections()[0]?.subscriptions.length === ctx.desired.size, {
        message: 'all channels subscribed',
      });
    },
    async inject(ctx) {
      const lastId = ctx.currentConnectionId() ?? 0;
      ctx.exchange.setResponseDelay(120);
      ctx.exchange.terminateAll();
      const id = await waitForMethodOnNewConnection(ctx, 'public/subscribe', lastId);
      check(ctx.connection.state === 'restoring', `state ${ctx.connection.state}`);
      ctx.exchange.terminateAll();
      ctx.exchange.setResponseDelay(0);
      await ctx.waitForDowns(2);
      check(
        ctx.exchange.connections().every((c) => c.id !== id),
        'interrupted connection still open',
      );
    },
  },
  {
    name: 'book sequence gap',
    fault: '`injectBookGap` on the incremental book',
    asserts: 'gap event; that channel alone unsubscribed and resubscribed; consumers never see a broken change chain; no rebuild',
    limits: { subscribeCallsPerConnection: 3 },
    async inject(ctx) {
      ctx.exchange.injectBookGap(BOOK);
      await waitFor(() => ctx.eventsOf('gap').length === 1, { message: 'a gap event' });
      await waitFor(() => ctx.venue.currentSession?.subscribes.get(BOOK) === 2, { message: 'book resubscribed' });
    },
    expect(ctx) {
      const session = ctx.venue.currentSession!;
      check(session.unsubscribes.get(BOOK) === 1 && session.unsubscribes.size === 1, 'only the book channel was resynced');
      check(ctx.eventsOf('down').length === 0 && ctx.connection.stats().gaps === 1, 'gap handling rebuilt the session');
    },
  },
  {
    name: 'repeated flapping',
    fault: 'drop every 200 ms for 5 s (shortened from 10 s to keep the matrix fast)',
    asserts: 'ends ready with the exact set; reconnects = downs (one build per drop, never two); circuit never opens',
    async inject(ctx) {
      const until = Date.now() + 5_000;
      while (Date.now() < until) {
        ctx.exchange.terminateAll();
        await sleep(200);
      }
      const downs = ctx.eventsOf('down').length;
      check(downs >= 15, `only ${downs} drops took effect`);
      ctx.notes.push(`flapping: ${downs} downs`);
    },
  },
  {
    name: 'rotation before the socket lifetime',
    fault: 'the exchange closes every socket 2.4 s after it opened; the connection rotates each 1.2 s after it opened',
    asserts:
      'rotated make-before-break before the cut: no down, no rebuild, no lifetime close; every ticker and trade once to every consumer; the book chain unbroken',
    config: { exchange: { connectionLifetimeMs: 2_400 }, rotation: { rotateAfterMs: 1_200, overlapTimeoutMs: 3_000 } },
    async inject(ctx) {
      await waitFor(() => (ctx.connection.stats().rotations?.completed ?? 0) >= 1, { timeoutMs: 10_000, message: 'a rotation' });
    },
    async expect(ctx) {
      await expectRotatedWithoutLoss(ctx, 1);
      check(ctx.exchange.counters.lifetimeCloses === 0, `lifetime closes: ${ctx.exchange.counters.lifetimeCloses}`);
    },
  },
  {
    name: 'planned handover (rotate())',
    fault: '`connection.rotate()` while the feeds publish every 25 ms',
    asserts:
      'the new socket restored fully (auth, heartbeat, cancel-on-disconnect, each channel once) before it serves; nothing missed or repeated; the old socket closed',
    async inject(ctx) {
      const outcome = await ctx.connection.rotate('handover');
      check(outcome.outcome === 'completed', `outcome ${JSON.stringify(outcome)}`);
    },
    async expect(ctx) {
      await expectRotatedWithoutLoss(ctx, 1);
      check(ctx.methodCount('public/auth') === 2, `auth calls: ${ctx.methodCount('public/auth')}`);
      check(ctx.methodCount('private/enable_cancel_on_disconnect') === 2, 'cancel-on-disconnect enabled on each socket');
    },
  },
  {
    name: 'rotation refused, then retried',
    fault: 'upgrades rejected with 503 during `rotate()`, lifted after the first failure',
    asserts:
      'the old socket serves on (no down, state ready throughout); failed rotations counted and evented; the retry completes with nothing missed',
    async inject(ctx) {
      ctx.exchange.setUpgradeRejection(503);
      const outcome = await ctx.connection.rotate('handover');
      check(
        outcome.outcome === 'failed' && ctx.connection.state === 'ready',
        `outcome ${outcome.outcome}, state ${ctx.connection.state}`,
      );
      ctx.exchange.setUpgradeRejection(null);
      await waitFor(() => ctx.connection.stats().rotations?.completed === 1, { message: 'the retried rotation' });
    },
    async expect(ctx) {
      await expectRotatedWithoutLoss(ctx, 1);
      check((ctx.connection.stats().rotations?.failed ?? 0) >= 1, 'failure counted');
      check(rotationPhases(ctx).includes('failed'), `phases ${rotationPhases(ctx).join(',')}`);
      check(
        ctx.eventsOf('state').every((e) => e.from !== 'ready'),
        'left ready during the failed rotation',
      );
    },
  },
  {
    name: 'serving socket dies mid-rotation',
    fault: 'responses delayed 250 ms, `rotate()`, then the serving socket is closed (1011) while the new one restores',
    asserts: 'the rotation is abandoned (its socket closed); the normal rebuild restores everything once; one down, one rebuild',
    async inject(ctx) {
      const serving = ctx.exchange.connections()[0]?.id;
      ctx.exchange.setResponseDelay(250);
      const rotation = ctx.connection.rotate('handover');
      await ctx.exchange.waitFor(() => ctx.exchange.connections().length === 2);
      check(serving !== undefined && ctx.exchange.closeConnection(serving, 1011, 'internal error'), 'serving socket closed');
      const outcome = await rotation;
      ctx.exchange.setResponseDelay(0);
      check(outcome.outcome === 'abandoned', `outcome ${outcome.outcome}`);
      await ctx.waitForDowns(1);
    },
    expect(ctx) {
      check(ctx.eventsOf('down').length === 1, `downs: ${ctx.eventsOf('down').length}`);
      check(ctx.connection.stats().rotations?.abandoned === 1, 'abandon counted');
    },
  },
];

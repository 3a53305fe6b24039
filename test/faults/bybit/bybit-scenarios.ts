import type { BybitErrorCodeValue } from '@exchange-connection/testkit';
import { waitFor } from '../../support/wait-for.js';
import { check } from '../harness-checks.js';
import type { MatrixScenario } from '../matrix-runner.js';
import { VENUE_MAX_BYTES, expectCircuitOpen, legsDown, sharedRows } from '../shared-rows.js';
import {
  BOOK,
  FAULT_ACCOUNT,
  type BybitFaultHarness,
  type BybitHarnessConfig,
  type BybitInvariantLimits,
  type Leg,
} from './bybit-fault-harness.js';

/** One row of the Bybit fault matrix. Runnable on its own: it starts and closes its own world. */
export type BybitFaultScenario = MatrixScenario<BybitFaultHarness, BybitHarnessConfig, BybitInvariantLimits>;

const FAULT_SECRET = FAULT_ACCOUNT.apiSecret;

const legsOf = (ctx: BybitFaultHarness): Leg[] => [ctx.legs.linear, ctx.legs.private];

const rows = sharedRows<BybitFaultHarness, BybitHarnessConfig, BybitInvariantLimits>(legsOf);

/** Lets time pass by the exchange's own clock of pings: `n` more pings answered (~0.2 s each). */
function pingsPass(ctx: BybitFaultHarness, n: number): Promise<unknown> {
  const target = ctx.exchange.counters.pings + n;
  return waitFor(() => ctx.exchange.counters.pings >= target, { timeoutMs: 10_000, message: `${n} more pings` });
}

const fatalAuth = (code: BybitErrorCodeValue, what: string, hint: string): BybitFaultScenario => ({
  name: `fatal auth ${code} (${what})`,
  fault: `\`setRejectAuth(${code})\`, then a drop`,
  asserts: `private circuit opens at once with "${hint}" in the error; 1 auth attempt, no new socket while open; linear unaffected; closes after the cool-down once auth works`,
  limits: { circuitMayOpen: true },
  async inject(ctx) {
    const leg = ctx.legs.private;
    const socketsBefore = leg.exchangeConnections.length;
    ctx.exchange.setRejectAuth(code);
    ctx.exchange.terminateAll();
    await ctx.waitForState(leg, 'circuit-open', 3_000);
    const last = leg.connection.stats().lastError;
    check(last?.code === 'INVALID_CREDENTIALS', `last error ${last?.code}`);
    check(last?.message.includes(hint) === true && last.message.includes(`(${code})`), `message: ${last?.message}`);
    check(last?.message.includes(FAULT_SECRET) !== true, 'the secret reached the error');
    await expectCircuitOpen(leg, hint);
    const sockets = leg.exchangeConnections.length;
    await pingsPass(ctx, 5); // ~1 s in which the private leg may do nothing
    check(
      leg.exchangeConnections.length === sockets && sockets === socketsBefore + 1,
      'new private sockets while the circuit was open',
    );
    check(ctx.exchange.counters.authFailures === 1, `auth attempts refused: ${ctx.exchange.counters.authFailures}`);
    check(leg.connection.state === 'circuit-open', `state ${leg.connection.state}`);
    check(ctx.legs.linear.connection.state === 'ready', `linear ${ctx.legs.linear.connection.state}`);
    ctx.exchange.setRejectAuth(false);
  },
  expect(ctx) {
    check(ctx.legs.private.connection.stats().circuit === 'closed', 'circuit still open after recovery');
  },
});

export const bybitScenarios: BybitFaultScenario[] = [
  ...rows.twoSocketDrops('one down per connection, one rebuild each, full restore (private: auth before its topics)'),
  {
    name: 'idle cut avoided by the ping',
    fault:
      'no data at all (feed paused, no book re-snapshots); the exchange cuts after 600 ms without ping or data (public `idleTimeoutMs`, private `max_active_time=30s` scaled to 600 ms)',
    asserts:
      'the 0.2 s `{"op":"ping"}` keeps both sockets: over 10 pings (> 3 idle windows) no idle close, no down; the pongs keep the silence bound satisfied',
    config: {
      exchange: { idleTimeoutMs: 600, activeTimeScale: 0.02, level1ResnapshotMs: 0 },
      adapter: { private: { maxActiveTimeSec: 30 } },
    },
    async inject(ctx) {
      check(ctx.liveConnections(ctx.legs.private)[0]?.idleTimeoutMs === 600, 'max_active_time did not reach the private socket');
      ctx.setPumpPaused(true);
      await pingsPass(ctx, 10);
      ctx.setPumpPaused(false);
      check(ctx.exchange.counters.idleCloses === 0, `idle closes: ${ctx.exchange.counters.idleCloses}`);
      for (const leg of legsOf(ctx)) check(leg.eventsOf('down').length === 0, `${leg.name} went down while idle`);
    },
  },
  rows.quietSockets('pongs stop, feeds quiet', {
    fault: '`setHeartbeatsPaused(true)` and no feed: pings go unanswered, the sockets are open but silent',
    asserts: 'silence bound applies to both: HEARTBEAT_TIMEOUT within bound + 200 ms, one rebuild each',
  }),
  {
    name: 'auth restored with a fresh expires after every rebuild',
    fault: 'three drops in a row, each after the session is ready again',
    asserts:
      'four auth ops, one per socket, each with a later `expires` and its own signature, none refused; private topics only after auth',
    inject: rows.dropsInARow(3),
    expect(ctx) {
      const auths = ctx.legs.private.auths;
      check(auths.length === 4, `auth ops written: ${auths.length}`);
      check(new Set(auths.map(([, , signature]) => signature)).size === 4, 'a signature was reused');
      check(
        ctx.exchange.counters.auth === 4 && ctx.exchange.counters.authFailures === 0,
        `auth ${ctx.exchange.counters.auth}, refused ${ctx.exchange.counters.authFailures}`,
      );
      for (const id of ctx.legs.private.exchangeConnections) {
        const ops = ctx.exchange.opLog.filter((e) => e.connectionId === id && e.op !== 'ping').map((e) => e.op);
        check(ops[0] === 'auth' && ops.indexOf('subscribe') > 0, `ops on private socket ${id}: ${ops.join(',')}`);
      }
    },
  },
  fatalAuth(10003, 'bad key', 'API key invalid'),
  fatalAuth(10004, 'signature', 'signature rejected'),
  fatalAuth(10005, 'permissions', 'permission denied'),
  fatalAuth(10010, 'IP', 'unmatched IP'),
  {
    name: 'service restarting (10016)',
    fault: '`setOpRejection(10016)` (every op but ping fails), then a drop; lifted after two failed builds per connection',
    asserts:
      'each failed build reports the restart and a new socket follows (never fatal: no circuit); ready once the service is back',
    config: { circuitBreaker: { failureThreshold: 50 } },
    limits: { subscribeOpsPerConnection: 1 },
    async inject(ctx) {
      ctx.exchange.setOpRejection(10016);
      ctx.exchange.terminateAll();
      await legsDown(legsOf(ctx), 3);
      ctx.exchange.setOpRejection(null);
      for (const leg of legsOf(ctx)) {
        const refused = leg.eventsOf('down').slice(1);
        check(
          refused.every((d) => d.code === 'VENUE_ERROR' && d.message.includes('10016')),
          `${leg.name} downs: ${JSON.stringify(refused)}`,
        );
        check(leg.connection.stats().circuit === 'closed', `${leg.name} circuit ${leg.connection.stats().circuit}`);
      }
    },
  },
  {
    name: '10006 rate limit during restore',
    fault: '`setRateLimit({ capacity: 1, refillPerSec: 4 })` (auth and subscribe share it), then a drop',
    asserts: 'restore backs off on 10006 and completes on the same socket; each topic still once',
    limits: { subscribeOpsPerConnection: 8 },
    async inject(ctx) {
      ctx.exchange.setRateLimit({ capacity: 1, refillPerSec: 4 });
      ctx.exchange.terminateAll();
      await legsDown(legsOf(ctx));
      for (const leg of legsOf(ctx)) await ctx.waitForState(leg, 'ready', 8_000);
      check(ctx.exchange.counters.rateLimited > 0, 'the rate limit never bit');
      ctx.exchange.setRateLimit(false);
    },
    expect(ctx) {
      for (const leg of legsOf(ctx)) check(leg.eventsOf('down').length === 1, `${leg.name} downs ${leg.eventsOf('down').length}`);
    },
  },
  rows.malformed({
    fault: '`sendMalformed` garbage, binary, unknown-id, wrong-shape (topic data a string), deep-nesting',
    asserts: 'all five counted on each connection, by reason; none reaches a consumer; no down',
  }),
  rows.oversized(
    {
      fault: '`sendOversized` between the venue cap (32 KiB) and `maxPayload` (64 KiB), then above',
      asserts:
        'between: counted `too-large` and dropped, no down; above maxPayload: PAYLOAD_TOO_LARGE, each connection rebuilt exactly once',
    },
    {
      adapter: {
        linear: { frameLimits: { maxBytes: VENUE_MAX_BYTES } },
        private: { frameLimits: { maxBytes: VENUE_MAX_BYTES } },
      },
    },
  ),
  {
    name: 'book restart (u == 1)',
    fault:
      '`injectBookRestart` on `orderbook.50.BTCUSDT`: the next message is a snapshot with u = 1, as after a Bybit service restart',
    asserts: 'consumers get the restart snapshot and the deltas after it (u 2, 3, …) with no gap, no resubscribe, no rebuild',
    async inject(ctx) {
      ctx.exchange.injectBookRestart('linear', BOOK);
      await waitFor(() => ctx.legs.linear.consumers.every((c) => (c.bookTrail.get(BOOK) ?? []).some((m) => m === 'snapshot 1')), {
        message: 'the u = 1 snapshot delivered',
      });
      await waitFor(() => ctx.legs.linear.consumers.every((c) => (c.bookTrail.get(BOOK) ?? []).includes('delta 3')), {
        message: 'deltas after the restart',
      });
    },
    expect(ctx) {
      const leg = ctx.legs.linear;
      check(leg.eventsOf('gap').length === 0 && leg.connection.stats().gaps === 0, 'the restart was taken for a gap');
      check(leg.venue.currentSession?.subscribes.get(BOOK) === 1, 'the book was resubscribed');
      check(leg.eventsOf('down').length === 0, 'the restart rebuilt the session');
    },
  },
  {
    name: 'book gap (a skipped u)',
    fault: '`injectBookGap` on `orderbook.50.BTCUSDT`: the next delta skips one `u`',
    asserts:
      'gap event; that topic alone unsubscribed and resubscribed (a fresh snapshot); consumers never see a broken book; no rebuild',
    limits: { subscribeOpsPerConnection: 2 },
    async inject(ctx) {
      const leg = ctx.legs.linear;
      ctx.exchange.injectBookGap('linear', BOOK);
      await waitFor(() => leg.eventsOf('gap').length === 1, { message: 'a gap event' });
      await waitFor(() => leg.venue.currentSession?.subscribes.get(BOOK) === 2, { message: 'book resubscribed' });
    },
    expect(ctx) {
      const leg = ctx.legs.linear;
      const session = leg.venue.currentSession!;
      check(session.unsubscribes.get(BOOK) === 1 && session.unsubscribes.size === 1, 'only the book topic was resynced');
      check(leg.eventsOf('down').length === 0 && leg.connection.stats().gaps === 1, 'gap handling rebuilt the session');
    },
  },
  rows.restartMidRestore(
    {
      fault: '`setResponseDelay(250)`, drop, then `restart()` while the private auth is in flight',
      asserts: 'the half-built sessions are abandoned; the next ones restore everything once (with a fresh auth)',
    },
    {
      legOf: (ctx) => ctx.legs.private,
      inFlight: (ctx, id) => ctx.exchange.opLog.some((e) => e.connectionId === id && e.op === 'auth'),
      what: 'auth',
      state: 'authenticating',
    },
  ),
  rows.dropDuringBatchedSubscribe(
    {
      fault: '12 linear topics in requests of 3; acks delayed 120 ms; drop while subscribes are in flight',
      asserts: 'the in-flight subscribes fail fast; on the new session every topic exactly once',
    },
    {
      config: { adapter: { linear: { maxArgsPerRequest: 3, maxRequestsInFlight: 2 } } },
      limits: { subscribeOpsPerConnection: 6 },
      addChannels(ctx) {
        const extra = ['BTCUSDT', 'ETHUSDT'].flatMap((s) => [
          `tickers.${s}`,
          `publicTrade.${s}`,
          ...[1, 50, 200, 1000].map((d) => `orderbook.${d}.${s}`),
        ]);
        ctx.addConsumer(ctx.legs.linear, extra);
      },
      heldOnSocket: (ctx) => ctx.liveConnections(ctx.legs.linear)[0]?.subscriptions.length,
      legOf: (ctx) => ctx.legs.linear,
      inFlight: (ctx, id) => ctx.exchange.opLog.some((e) => e.connectionId === id && e.op === 'subscribe'),
      what: 'subscribe',
    },
  ),
  rows.flapping(12, {
    fault: 'drop every 200 ms until each connection went down 12 times',
    asserts: 'both end ready with the exact set; reconnects = downs (one build per drop, never two); circuit never opens',
  }),
  {
    name: 'planned handover (rotate())',
    fault: '`connection.rotate()` on both connections while the feeds publish every 25 ms',
    asserts:
      'each restored fully on a new socket (private: auth first) before it serves; linear topics join on their keys (book `u`, ticker `cs`, trade `seq`), none forced; no down, no repeat, the book chain unbroken',
    async inject(ctx) {
      const outcomes = await Promise.all(legsOf(ctx).map((leg) => leg.connection.rotate('handover')));
      check(
        outcomes.every((o) => o.outcome === 'completed'),
        `outcomes ${JSON.stringify(outcomes.map((o) => o.outcome))}`,
      );
      const linear = outcomes[0]!;
      // Joined on a key, or quiet on both sockets until another topic's join proved the old one drained.
      const { joined, quiet, keyless, forced } = linear.channels;
      check(
        joined >= 1 && joined + quiet === 3 && keyless === 0 && forced === 0,
        `linear channels ${JSON.stringify(linear.channels)}`,
      );
    },
    expect(ctx) {
      for (const leg of legsOf(ctx)) {
        const stats = leg.connection.stats();
        check(leg.eventsOf('down').length === 0 && stats.reconnects === 0, `${leg.name}: dropped during the handover`);
        check(
          stats.rotations?.completed === 1 && stats.rotations.forcedChannels === 0,
          `${leg.name}: ${JSON.stringify(stats.rotations)}`,
        );
      }
    },
  },
];

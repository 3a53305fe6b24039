import type { BybitErrorCodeValue } from '@exchange-connection/testkit';
import { sleep, waitFor } from '../../support/wait-for.js';
import {
  BOOK,
  CLIENT_MAX_PAYLOAD,
  type BybitFaultHarness,
  type BybitHarnessConfig,
  type BybitInvariantLimits,
  type Leg,
} from './bybit-fault-harness.js';

/** One row of the Bybit fault matrix. Runnable on its own: it starts and closes its own world. */
export interface BybitFaultScenario {
  name: string;
  /** The fault, for the README table. */
  fault: string;
  /** One line for the README table: what the row proves beyond the shared invariants. */
  asserts: string;
  config?: BybitHarnessConfig;
  limits?: BybitInvariantLimits;
  setup?(ctx: BybitFaultHarness): Promise<void> | void;
  inject(ctx: BybitFaultHarness): Promise<void>;
  expect?(ctx: BybitFaultHarness): Promise<void> | void;
}

/** Sweep period (50 ms) plus timer and poll latency: how late past the silence bound detection may land. */
const DETECTION_SLACK_MS = 200;
/** Frame cap of the oversized row: above it frames are dropped (`too-large`), below maxPayload. */
const VENUE_MAX_BYTES = 32 * 1024;

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

const legsOf = (ctx: BybitFaultHarness): Leg[] => [ctx.legs.linear, ctx.legs.private];

async function bothDown(ctx: BybitFaultHarness, n = 1, timeoutMs = 5_000): Promise<void> {
  for (const leg of legsOf(ctx)) await ctx.waitForDowns(leg, n, timeoutMs);
}

/** Lets time pass by the exchange's own clock of pings: `n` more pings answered (~0.2 s each). */
function pingsPass(ctx: BybitFaultHarness, n: number): Promise<unknown> {
  const target = ctx.exchange.counters.pings + n;
  return waitFor(() => ctx.exchange.counters.pings >= target, { timeoutMs: 10_000, message: `${n} more pings` });
}

const serverClose = (code: number, label: string): BybitFaultScenario => ({
  name: `server close ${code}`,
  fault: `close frame ${code} (${label}) to both sockets`,
  asserts: 'one down per connection, one rebuild each, full restore (private: auth before its topics)',
  async inject(ctx) {
    ctx.exchange.closeAll(code, label);
    await bothDown(ctx);
  },
  expect(ctx) {
    for (const leg of legsOf(ctx)) check(leg.eventsOf('down').length === 1, `${leg.name} downs: ${leg.eventsOf('down').length}`);
  },
});

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
    await leg.connection.whenReady(100).then(
      () => check(false, 'whenReady resolved with an open circuit'),
      (error: { code?: string; message?: string }) =>
        check(
          error.code === 'CIRCUIT_OPEN' && error.message?.includes(hint) === true,
          `whenReady: ${error.code} ${error.message}`,
        ),
    );
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

const FAULT_SECRET = 'fault-secret-456';

export const bybitScenarios: BybitFaultScenario[] = [
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
  {
    name: 'pongs stop, feeds quiet',
    fault: '`setHeartbeatsPaused(true)` and no feed: pings go unanswered, the sockets are open but silent',
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
    name: 'auth restored with a fresh expires after every rebuild',
    fault: 'three drops in a row, each after the session is ready again',
    asserts:
      'four auth ops, one per socket, each with a later `expires` and its own signature, none refused; private topics only after auth',
    async inject(ctx) {
      for (let drop = 1; drop <= 3; drop++) {
        ctx.exchange.terminateAll();
        await bothDown(ctx, drop);
        for (const leg of legsOf(ctx)) await ctx.waitForState(leg, 'ready');
      }
    },
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
      await bothDown(ctx, 3);
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
      await bothDown(ctx);
      for (const leg of legsOf(ctx)) await ctx.waitForState(leg, 'ready', 8_000);
      check(ctx.exchange.counters.rateLimited > 0, 'the rate limit never bit');
      ctx.exchange.setRateLimit(false);
    },
    expect(ctx) {
      for (const leg of legsOf(ctx)) check(leg.eventsOf('down').length === 1, `${leg.name} downs ${leg.eventsOf('down').length}`);
    },
  },
  {
    name: 'malformed frames',
    fault: '`sendMalformed` garbage, binary, unknown-id, wrong-shape (topic data a string), deep-nesting',
    asserts: 'all five counted on each connection, by reason; none reaches a consumer; no down',
    async inject(ctx) {
      const before = legsOf(ctx).map((leg) => leg.connection.stats());
      for (const kind of ['garbage', 'binary', 'unknown-id', 'wrong-shape', 'deep-nesting'] as const)
        ctx.exchange.sendMalformed(kind);
      await waitFor(
        () => legsOf(ctx).every((leg, i) => leg.connection.stats().malformedFrames >= before[i]!.malformedFrames + 5),
        {
          message: 'malformed frames counted',
        },
      );
      await ctx.waitForData(2);
      legsOf(ctx).forEach((leg, i) => {
        const after = leg.connection.stats();
        for (const reason of ['unparsable', 'binary', 'unknown-id', 'wrong-shape', 'too-deep']) {
          const added = (after.malformedByReason[reason] ?? 0) - (before[i]!.malformedByReason[reason] ?? 0);
          check(added === 1, `${leg.name} ${reason}: ${added}`);
        }
        check(leg.eventsOf('down').length === 0, `${leg.name}: a malformed frame killed the session`);
      });
    },
  },
  {
    name: 'oversized frames',
    fault: '`sendOversized` between the venue cap (32 KiB) and `maxPayload` (64 KiB), then above',
    asserts:
      'between: counted `too-large` and dropped, no down; above maxPayload: PAYLOAD_TOO_LARGE, each connection rebuilt exactly once',
    config: {
      adapter: {
        linear: { frameLimits: { maxBytes: VENUE_MAX_BYTES } },
        private: { frameLimits: { maxBytes: VENUE_MAX_BYTES } },
      },
    },
    async inject(ctx) {
      ctx.exchange.sendOversized(VENUE_MAX_BYTES + 1_024);
      await waitFor(() => legsOf(ctx).every((leg) => leg.connection.stats().malformedByReason['too-large'] === 1), {
        message: 'too-large counted on both',
      });
      await ctx.waitForData(2);
      for (const leg of legsOf(ctx))
        check(leg.eventsOf('down').length === 0, `${leg.name}: a frame below maxPayload killed the session`);
      ctx.exchange.sendOversized(CLIENT_MAX_PAYLOAD + 1_024);
      await bothDown(ctx);
      for (const leg of legsOf(ctx))
        check(leg.eventsOf('down')[0]!.code === 'PAYLOAD_TOO_LARGE', `${leg.name} ${leg.eventsOf('down')[0]!.code}`);
    },
    expect(ctx) {
      for (const leg of legsOf(ctx)) check(leg.eventsOf('down').length === 1, `${leg.name} downs ${leg.eventsOf('down').length}`);
    },
  },
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
  {
    name: 'exchange restart mid-restore',
    fault: '`setResponseDelay(250)`, drop, then `restart()` while the private auth is in flight',
    asserts: 'the half-built sessions are abandoned; the next ones restore everything once (with a fresh auth)',
    async inject(ctx) {
      const leg = ctx.legs.private;
      const socketsBefore = leg.exchangeConnections.length;
      ctx.exchange.setResponseDelay(250);
      ctx.exchange.terminateAll();
      await waitFor(
        () => {
          const id = leg.exchangeConnections[socketsBefore];
          return id !== undefined && ctx.exchange.opLog.some((e) => e.connectionId === id && e.op === 'auth');
        },
        { message: 'auth in flight on the new private socket' },
      );
      check(leg.connection.state === 'authenticating', `state ${leg.connection.state}`);
      await ctx.exchange.restart();
      ctx.exchange.setResponseDelay(0);
      await ctx.waitForDowns(leg, 2);
    },
  },
  {
    name: 'drop during a batched subscribe',
    fault: '12 linear topics in requests of 3; acks delayed 120 ms; drop while subscribes are in flight',
    asserts: 'the in-flight subscribes fail fast; on the new session every topic exactly once',
    config: { adapter: { linear: { maxArgsPerRequest: 3, maxRequestsInFlight: 2 } } },
    limits: { subscribeOpsPerConnection: 6 },
    async setup(ctx) {
      const extra = ['BTCUSDT', 'ETHUSDT'].flatMap((s) => [
        `tickers.${s}`,
        `publicTrade.${s}`,
        ...[1, 50, 200, 1000].map((d) => `orderbook.${d}.${s}`),
      ]);
      ctx.addConsumer(ctx.legs.linear, extra);
      await waitFor(() => ctx.liveConnections(ctx.legs.linear)[0]?.subscriptions.length === ctx.legs.linear.desired.size, {
        message: 'all topics subscribed',
      });
    },
    async inject(ctx) {
      const leg = ctx.legs.linear;
      const socketsBefore = leg.exchangeConnections.length;
      ctx.exchange.setResponseDelay(120);
      ctx.exchange.terminateAll();
      await waitFor(
        () => {
          const id = leg.exchangeConnections[socketsBefore];
          return id !== undefined && ctx.exchange.opLog.some((e) => e.connectionId === id && e.op === 'subscribe');
        },
        { message: 'a subscribe in flight on the new socket' },
      );
      check(leg.connection.state === 'restoring', `state ${leg.connection.state}`);
      ctx.exchange.terminateAll();
      ctx.exchange.setResponseDelay(0);
      await ctx.waitForDowns(leg, 2);
    },
  },
  {
    name: 'repeated flapping',
    fault: 'drop every 200 ms until each connection went down 12 times',
    asserts: 'both end ready with the exact set; reconnects = downs (one build per drop, never two); circuit never opens',
    async inject(ctx) {
      // Counted in drops that took effect, not seconds: a busy machine slows the rebuilds.
      const deadline = Date.now() + 30_000;
      while (legsOf(ctx).some((leg) => leg.eventsOf('down').length < 12) && Date.now() < deadline) {
        ctx.exchange.terminateAll();
        await sleep(200);
      }
      for (const leg of legsOf(ctx)) {
        const downs = leg.eventsOf('down').length;
        check(downs >= 12, `${leg.name}: only ${downs} drops took effect`);
        ctx.notes.push(`flapping: ${leg.name} ${downs} downs`);
      }
    },
  },
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

import { sleep, waitFor } from '../support/wait-for.js';
import { check, type RecordedLeg } from './harness-checks.js';
import type { MatrixScenario } from './matrix-runner.js';
import { CLIENT_MAX_PAYLOAD } from './venue-harness.js';

/**
 * The rows every venue's fault matrix has (server closes, terminate, TCP reset, black hole, silence,
 * malformed and oversized frames, an exchange restart or a drop mid-restore, flapping), written once.
 * A venue's matrix binds them to its harness with `sharedRows(legsOf)` and gives each row its words
 * for the README table; what only one venue has stays in its own scenarios file.
 */

/** Sweep period (50 ms) plus timer and poll latency: how late past the silence bound detection may land. */
export const DETECTION_SLACK_MS = 200;
/** Frame cap of the oversized rows: above it frames are dropped (`too-large`), below maxPayload. */
export const VENUE_MAX_BYTES = CLIENT_MAX_PAYLOAD / 2;

const MALFORMED_KINDS = ['garbage', 'binary', 'unknown-id', 'wrong-shape', 'deep-nesting'] as const;
/** The reason each malformed kind is counted under, in `MALFORMED_KINDS` order. */
export const MALFORMED_REASONS: readonly string[] = ['unparsable', 'binary', 'unknown-id', 'wrong-shape', 'too-deep'];

/** What the shared rows need of a harness. */
export interface FaultWorld {
  readonly exchange: {
    closeAll(code: number, reason: string): void;
    terminateAll(): void;
    setHeartbeatsPaused(on: boolean): void;
    sendMalformed(kind: (typeof MALFORMED_KINDS)[number]): void;
    sendOversized(bytes: number): void;
    setResponseDelay(ms: number): void;
    restart(): Promise<void>;
  };
  readonly proxy: { resetAll(): void; setBlackHole(on: boolean): void };
  readonly silenceTimeoutMs: number;
  readonly notes: string[];
  setPumpPaused(paused: boolean): void;
  waitForData(atLeast?: number, timeoutMs?: number): Promise<void>;
}

/** A connection of the harness as the shared rows see it. */
export type LegView = Pick<RecordedLeg, 'name' | 'connection' | 'eventsOf'>;

/** Words of one row for the README table. */
export interface RowText {
  fault: string;
  asserts: string;
}

/** The server close codes every matrix has a row for, with the reason each is sent with. */
const SERVER_CLOSES: ReadonlyArray<readonly [number, string]> = [
  [1000, 'normal'],
  [1001, 'going away'],
  [1011, 'internal error'],
];

/** The words of the drop rows in the matrices with two sockets (Bybit, Binance). */
const TWO_SOCKET_TEXT = {
  closeWhere: 'to both sockets',
  terminate: {
    fault: 'exchange destroys both sockets (clients see 1006)',
    asserts: 'one down per connection, one rebuild each, full restore',
  },
  tcpReset: {
    fault: 'proxy sends RST both ways on both sockets',
    asserts: 'one down per connection, one rebuild each, full restore',
  },
  blackHole: 'both detected by the silence bound (HEARTBEAT_TIMEOUT) within bound + 200 ms; rebuilt once the link is back',
} as const;

/** `whenReady` rejects at once with CIRCUIT_OPEN (and, when given, `hint` in its message). */
export async function expectCircuitOpen(leg: LegView, hint?: string): Promise<void> {
  await leg.connection.whenReady(100).then(
    () => check(false, 'whenReady resolved with an open circuit'),
    (error: { code?: string; message?: string }) =>
      check(
        error.code === 'CIRCUIT_OPEN' && (hint === undefined || error.message?.includes(hint) === true),
        `whenReady: ${error.code} ${error.message}`,
      ),
  );
}

/** Resolves once every leg went down `n` times in total (legs in order, each within `timeoutMs`). */
export async function legsDown(legs: readonly LegView[], n = 1, timeoutMs = 5_000): Promise<void> {
  for (const leg of legs) {
    await waitFor(() => leg.eventsOf('down').length >= n, { timeoutMs, message: `${leg.name}: ${n} down event(s)` });
  }
}

function downs(leg: LegView): number {
  return leg.eventsOf('down').length;
}

/** The shared rows bound to one harness type; `legsOf` lists its connections. */
export function sharedRows<H extends FaultWorld, C, L>(legsOf: (ctx: H) => readonly LegView[]) {
  type Row = MatrixScenario<H, C, L>;

  /** Each leg went down once, by the silence bound, within bound + slack of `started`. */
  async function silenceDetected(ctx: H, started: number, lift: () => void): Promise<void> {
    await legsDown(legsOf(ctx), 1, ctx.silenceTimeoutMs + 2_000);
    const detectedAfter = Date.now() - started;
    lift();
    check(
      detectedAfter <= ctx.silenceTimeoutMs + DETECTION_SLACK_MS,
      `detected after ${detectedAfter} ms (bound ${ctx.silenceTimeoutMs})`,
    );
    for (const leg of legsOf(ctx))
      check(leg.eventsOf('down')[0]!.code === 'HEARTBEAT_TIMEOUT', `${leg.name} down ${leg.eventsOf('down')[0]!.code}`);
  }

  /** A request `what` of `legOf`'s new socket, logged by the exchange (`inFlight`). */
  interface InFlight {
    legOf: (ctx: H) => LegView & Pick<RecordedLeg, 'exchangeConnections' | 'desired'>;
    inFlight: (ctx: H, connectionId: number) => boolean;
    what: string;
  }

  /**
   * A drop on an exchange that answers `delayMs` late, then `interrupt` once the new socket of
   * `legOf` has `what` in flight (the session in `state`); then two downs on that leg.
   */
  async function interruptRestore(
    ctx: H,
    o: InFlight,
    delayMs: number,
    state: string,
    interrupt: () => Promise<void> | void,
  ): Promise<void> {
    const leg = o.legOf(ctx);
    const socketsBefore = leg.exchangeConnections.length;
    ctx.exchange.setResponseDelay(delayMs);
    ctx.exchange.terminateAll();
    await waitFor(
      () => {
        const id = leg.exchangeConnections[socketsBefore];
        return id !== undefined && o.inFlight(ctx, id);
      },
      { message: `${o.what} in flight on the new ${leg.name} socket` },
    );
    check(leg.connection.state === state, `state ${leg.connection.state}`);
    await interrupt();
    ctx.exchange.setResponseDelay(0);
    await legsDown([leg], 2);
  }

  return {
    /** One row per server close code (1000, 1001, 1011): one down per leg, one rebuild each. */
    serverCloses: (where: string, asserts: string): Row[] =>
      SERVER_CLOSES.map(([code, label]) => ({
        name: `server close ${code}`,
        fault: `close frame ${code} (${label}) ${where}`,
        asserts,
        async inject(ctx) {
          ctx.exchange.closeAll(code, label);
          await legsDown(legsOf(ctx));
        },
        expect(ctx) {
          for (const leg of legsOf(ctx)) check(downs(leg) === 1, `${leg.name} downs: ${downs(leg)}`);
        },
      })),

    /** The drop rows of a matrix with two sockets: the server closes, terminate, TCP reset, black hole. */
    twoSocketDrops(closeAsserts: string): Row[] {
      return [
        ...this.serverCloses(TWO_SOCKET_TEXT.closeWhere, closeAsserts),
        this.terminate(TWO_SOCKET_TEXT.terminate),
        this.tcpReset(TWO_SOCKET_TEXT.tcpReset),
        this.blackHole(TWO_SOCKET_TEXT.blackHole),
      ];
    },

    /** A drop of every socket (`drop`), one down per leg. */
    drop: (name: string, text: RowText, drop: (ctx: H) => void): Row => ({
      name,
      ...text,
      async inject(ctx) {
        drop(ctx);
        await legsDown(legsOf(ctx));
      },
    }),

    terminate(text: RowText): Row {
      return this.drop('terminate without close frame', text, (ctx) => ctx.exchange.terminateAll());
    },

    tcpReset(text: RowText): Row {
      return this.drop('TCP reset through the proxy', text, (ctx) => ctx.proxy.resetAll());
    },

    blackHole: (asserts: string): Row => ({
      name: 'half-open black hole',
      fault: 'proxy forwards nothing, closes nothing',
      asserts,
      async inject(ctx) {
        const started = Date.now();
        ctx.proxy.setBlackHole(true);
        await silenceDetected(ctx, started, () => ctx.proxy.setBlackHole(false));
      },
    }),

    /** The venue's heartbeat paused and no feed: open but silent sockets, caught by the silence bound. */
    quietSockets: (name: string, text: RowText): Row => ({
      name,
      ...text,
      async inject(ctx) {
        ctx.setPumpPaused(true);
        ctx.exchange.setHeartbeatsPaused(true);
        await silenceDetected(ctx, Date.now(), () => {
          ctx.exchange.setHeartbeatsPaused(false);
          ctx.setPumpPaused(false);
        });
      },
    }),

    /** `drops` drops in a row, each once every leg is ready again. */
    dropsInARow: (drops: number) =>
      async function inject(ctx: H): Promise<void> {
        for (let drop = 1; drop <= drops; drop++) {
          ctx.exchange.terminateAll();
          await legsDown(legsOf(ctx), drop);
          for (const leg of legsOf(ctx)) {
            await waitFor(() => leg.connection.state === 'ready', {
              timeoutMs: 5_000,
              message: `${leg.name}: state ready (is ${leg.connection.state})`,
            });
          }
        }
      },

    /** Every kind once on every socket; each leg counts the kinds `reasonsOf` lists for it, one each. */
    malformed: (text: RowText, reasonsOf: (leg: LegView) => readonly string[] = () => MALFORMED_REASONS): Row => ({
      name: 'malformed frames',
      ...text,
      async inject(ctx) {
        const legs = legsOf(ctx);
        const before = legs.map((leg) => leg.connection.stats());
        for (const kind of MALFORMED_KINDS) ctx.exchange.sendMalformed(kind);
        await waitFor(
          () =>
            legs.every((leg, i) => leg.connection.stats().malformedFrames >= before[i]!.malformedFrames + reasonsOf(leg).length),
          { message: 'malformed frames counted' },
        );
        await ctx.waitForData(2);
        legs.forEach((leg, i) => {
          const after = leg.connection.stats();
          for (const reason of reasonsOf(leg)) {
            const added = (after.malformedByReason[reason] ?? 0) - (before[i]!.malformedByReason[reason] ?? 0);
            check(added === 1, `${leg.name} ${reason}: ${added}`);
          }
          check(downs(leg) === 0, `${leg.name}: a malformed frame killed the session`);
        });
      },
    }),

    /**
     * A frame between the venue cap and maxPayload (counted `too-large`, dropped, no down) then one
     * above maxPayload (PAYLOAD_TOO_LARGE, one rebuild), on the legs `targetsOf` lists; the others
     * never go down. `config` gives those legs the cap.
     */
    oversized: (text: RowText, config: C, targetsOf: (ctx: H) => readonly LegView[] = legsOf): Row => ({
      name: 'oversized frames',
      ...text,
      config,
      async inject(ctx) {
        const targets = targetsOf(ctx);
        ctx.exchange.sendOversized(VENUE_MAX_BYTES + 1_024);
        await waitFor(() => targets.every((leg) => leg.connection.stats().malformedByReason['too-large'] === 1), {
          message: 'too-large counted',
        });
        await ctx.waitForData(2);
        for (const leg of targets) check(downs(leg) === 0, `${leg.name}: a frame below maxPayload killed the session`);
        ctx.exchange.sendOversized(CLIENT_MAX_PAYLOAD + 1_024);
        await legsDown(targets);
        for (const leg of targets)
          check(leg.eventsOf('down')[0]!.code === 'PAYLOAD_TOO_LARGE', `${leg.name} ${leg.eventsOf('down')[0]!.code}`);
      },
      expect(ctx) {
        const targets = targetsOf(ctx);
        for (const leg of legsOf(ctx)) {
          const expected = targets.includes(leg) ? 1 : 0;
          check(downs(leg) === expected, `${leg.name} downs ${downs(leg)}`);
        }
      },
    }),

    /** `setResponseDelay(250)`, a drop, then `restart()` while `what` is in flight on the new socket of `legOf`. */
    restartMidRestore: (text: RowText, o: InFlight & { state: string }): Row => ({
      name: 'exchange restart mid-restore',
      ...text,
      async inject(ctx) {
        await interruptRestore(ctx, o, 250, o.state, () => ctx.exchange.restart());
      },
    }),

    /**
     * Channels added to `legOf` (`addChannels`) until its restore is a batch of requests, all held
     * by its socket (`heldOnSocket`) before the fault; then, with answers delayed 120 ms, a drop,
     * and a second drop while a subscribe is in flight on the new socket.
     */
    dropDuringBatchedSubscribe: (
      text: RowText,
      o: Pick<Row, 'config' | 'limits'> &
        InFlight & {
          addChannels: (ctx: H) => void;
          heldOnSocket: (ctx: H) => number | undefined;
        },
    ): Row => ({
      name: 'drop during a batched subscribe',
      ...text,
      ...(o.config === undefined ? {} : { config: o.config }),
      ...(o.limits === undefined ? {} : { limits: o.limits }),
      async setup(ctx) {
        o.addChannels(ctx);
        await waitFor(() => o.heldOnSocket(ctx) === o.legOf(ctx).desired.size, { message: `all ${o.what}s held` });
      },
      async inject(ctx) {
        await interruptRestore(ctx, o, 120, 'restoring', () => ctx.exchange.terminateAll());
      },
    }),

    /** A drop every 200 ms until every leg went down `times` times (counted in drops that took effect, not seconds). */
    flapping: (times: number, text: RowText): Row => ({
      name: 'repeated flapping',
      ...text,
      async inject(ctx) {
        // Counted in drops that took effect, not seconds: a busy machine slows the rebuilds.
        const deadline = Date.now() + 30_000;
        while (legsOf(ctx).some((leg) => downs(leg) < times) && Date.now() < deadline) {
          ctx.exchange.terminateAll();
          await sleep(200);
        }
        for (const leg of legsOf(ctx)) {
          check(downs(leg) >= times, `${leg.name}: only ${downs(leg)} drops took effect`);
          ctx.notes.push(`flapping: ${leg.name} ${downs(leg)} downs`);
        }
      },
    }),
  };
}

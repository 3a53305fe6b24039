import {
  DeribitAdapter,
  SupervisedConnection,
  noJitter,
  type ClientLogger,
  type ConnectionEvent,
  type FrameLimits,
  type RotationOptions,
  type SupervisedClientOptions,
  type SupervisedConnectionOptions,
} from '@exchange-connection/core';
import { FaultProxy, TestExchange, type TestExchangeOptions } from '@exchange-connection/testkit';
import type { OperatorFunction, Subscription } from 'rxjs';
import { resourceSnapshot, settleNoResourceGrowth, type ResourceCounts } from '../support/open-handles.js';
import { waitFor } from '../support/wait-for.js';
import { ConsumerLog } from './consumer-log.js';
import { RecordingVenue } from './recording-venue.js';

export const TICKER = 'ticker.BTC-PERPETUAL.100ms';
export const BOOK = 'book.BTC-PERPETUAL.100ms';
export const TRADES = 'trades.ETH-PERPETUAL.100ms';
export const PRIVATE = 'user.orders.BTC-PERPETUAL.raw';
/** Every consumer watches these: a ticker, an incremental book, trades and a private user.* channel. */
export const BASE_CHANNELS: readonly string[] = [TICKER, BOOK, TRADES, PRIVATE];

export interface FaultCredentials {
  clientId: string;
  clientSecret: string;
  /** Auth grant (default client_credentials); client_signature keeps the secret off the wire. */
  kind?: 'client_credentials' | 'client_signature';
}

export const DEFAULT_CREDENTIALS: FaultCredentials = { clientId: 'fault-client', clientSecret: 'fault-secret' };

/** Options a scenario may set before the harness starts. */
export interface FaultHarnessConfig {
  /** Consumers on BASE_CHANNELS (default 3). */
  consumers?: number;
  /**
   * Supervisor silence bound (default 1500 ms; the sweep runs every 50 ms). Rows that do not test
   * silence must not trip it: on a busy shared machine an event-loop stall approaches a second.
   */
  silenceTimeoutMs?: number;
  /** Deribit heartbeat interval (default 0.3 s: a quiet but healthy session still has inbound frames). */
  heartbeatIntervalSec?: number;
  /** Harness feed: one notification per channel per tick (default 25 ms). */
  pumpIntervalMs?: number;
  exchange?: Omit<TestExchangeOptions, 'accounts' | 'feedIntervalMs'>;
  client?: SupervisedClientOptions;
  /** The venue adapter's frame bounds (default Deribit's, whose 8 MiB cap is above CLIENT_MAX_PAYLOAD). */
  venueFrameLimits?: FrameLimits;
  circuitBreaker?: { failureThreshold?: number; cooldownMs?: number };
  closeTimeoutMs?: number;
  /** Make-before-break rotation (default: none planned; `rotate()` still works). */
  rotation?: RotationOptions;
}

/** Supplied by whoever runs the scenario (the fault matrix, or a secret-leak audit with its own logger). */
export interface FaultHarnessExternal {
  credentials?: FaultCredentials;
  logger?: ClientLogger;
}

export type FaultHarnessOptions = FaultHarnessConfig & FaultHarnessExternal;

/** Client maxPayload in the matrix (the oversize rows send above it). */
export const CLIENT_MAX_PAYLOAD = 64 * 1024;

const quietLogger: ClientLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * One TestExchange behind a FaultProxy, one SupervisedConnection through the proxy, N consumers
 * recording every message, a feed pump and a sweep. Everything it opens, `close()` closes.
 */
export class FaultHarness {
  readonly consumers: ConsumerLog[] = [];
  readonly events: ConnectionEvent[] = [];
  readonly desired = new Set<string>();
  readonly venue: RecordingVenue;
  readonly connection: SupervisedConnection;
  readonly silenceTimeoutMs: number;
  /** Notifications the pump published per channel. */
  readonly published = new Map<string, number>();
  /** Measurements a row wants reported (printed by the spec with FAULT_MATRIX_NOTES=1). */
  readonly notes: string[] = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly eventSubscription: Subscription;
  private pumpTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private pumpPaused = false;
  private pumpCursor = 0;
  private closed = false;

  private constructor(
    readonly exchange: TestExchange,
    readonly proxy: FaultProxy,
    private readonly baseline: ResourceCounts,
    readonly options: FaultHarnessOptions,
  ) {
    this.silenceTimeoutMs = options.silenceTimeoutMs ?? 1500;
    const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
    const logger = options.logger ?? quietLogger;
    this.venue = new RecordingVenue(
      new DeribitAdapter({
        logger,
        rateLimitRetry: { baseDelayMs: 50, maxDelayMs: 400, maxAttempts: 8 },
        frameLimits: options.venueFrameLimits,
      }),
    );
    const connectionOptions: SupervisedConnectionOptions = {
      name: 'fault',
      url: proxy.url(),
      venue: this.venue,
      session: {
        credentials: {
          kind: credentials.kind ?? 'client_credentials',
          clientId: credentials.clientId,
          clientSecret: credentials.clientSecret,
        },
        heartbeatIntervalSec: options.heartbeatIntervalSec ?? 0.3,
        cancelOnDisconnect: { scope: 'connection' },
      },
      // The client's ws ping is off so the supervisor's silence bound is what the matrix measures:
      // with it on, pongs count as life (see README, "heartbeats paused").
      client: {
        heartbeat: false,
        requestTimeoutMs: 2_000,
        connectTimeoutMs: 1_000,
        maxPayload: CLIENT_MAX_PAYLOAD,
        ...options.client,
      },
      rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
      circuitBreaker: { failureThreshold: 5, cooldownMs: 1_500, ...options.circuitBreaker },
      silenceTimeoutMs: this.silenceTimeoutMs,
      closeTimeoutMs: options.closeTimeoutMs ?? 500,
      rotation: options.rotation,
      logger,
    };
    this.connection = new SupervisedConnection(connectionOptions);
    this.eventSubscription = this.connection.events$.subscribe((event) => this.events.push(event));
  }

  static async start(options: FaultHarnessOptions = {}): Promise<FaultHarness> {
    const baseline = resourceSnapshot();
    const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
    const exchange = await TestExchange.start({
      port: 0,
      seed: 11,
      minHeartbeatIntervalSec: 0.1,
      ...options.exchange,
      feedIntervalMs: 0,
      accounts: [{ clientId: credentials.clientId, clientSecret: credentials.clientSecret }],
    });
    const proxy = await FaultProxy.start({ target: { port: exchange.port } });
    const harness = new FaultHarness(exchange, proxy, baseline, options);
    for (let i = 0; i < (options.consumers ?? 3); i++) harness.addConsumer([...BASE_CHANNELS]);
    harness.connection.start();
    harness.sweepTimer = setInterval(() => harness.connection.sweep(), 50);
    harness.pumpTimer = setInterval(() => harness.pump(), options.pumpIntervalMs ?? 25);
    return harness;
  }

  // ---- consumers and feed ---------------------------------------------------------------------

  /** A new consumer of `channels`; they join the desired set. */
  addConsumer(channels: readonly string[]): ConsumerLog {
    const log = new ConsumerLog(this.consumers.length);
    this.consumers.push(log);
    this.watch(log, channels);
    return log;
  }

  /** `consumer` also watches `channels` (they join the desired set). */
  watch(consumer: ConsumerLog, channels: readonly string[], operator?: OperatorFunction<unknown, unknown>): void {
    for (const channel of channels) {
      this.desired.add(channel);
      consumer.channels.add(channel);
      const stream = this.connection.channel$(channel);
      this.subscriptions.push(
        (operator ? stream.pipe(operator) : stream).subscribe({
          next: (data) => consumer.record(channel, data),
          error: (error: unknown) => consumer.errors.push({ channel, error }),
          complete: () => consumer.completed.add(channel),
        }),
      );
    }
  }

  /** Keeps a consumer-owned subscription so close() releases it. */
  own(subscription: Subscription): void {
    this.subscriptions.push(subscription);
  }

  setPumpPaused(paused: boolean): void {
    this.pumpPaused = paused;
  }

  /** Base channels every tick; any others round-robin, 8 per tick, so a large set stays cheap. */
  private pump(): void {
    if (this.pumpPaused || this.closed) return;
    const extra = [...this.desired].filter((c) => !BASE_CHANNELS.includes(c));
    const batch = [...BASE_CHANNELS.filter((c) => this.desired.has(c))];
    for (let i = 0; i < Math.min(8, extra.length); i++) batch.push(extra[(this.pumpCursor + i) % extra.length]!);
    this.pumpCursor += 8;
    for (const channel of batch) {
      if (this.exchange.publish(channel) > 0) this.published.set(channel, (this.published.get(channel) ?? 0) + 1);
    }
  }

  // ---- observation ----------------------------------------------------------------------------

  eventsOf<T extends ConnectionEvent['type']>(type: T): Array<Extract<ConnectionEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<ConnectionEvent, { type: T }> => e.type === type);
  }

  /** The id of the exchange-side connection currently open (the newest). */
  currentConnectionId(): number | undefined {
    const ids = this.exchange.connections().map((c) => c.id);
    return ids.length === 0 ? undefined : Math.max(...ids);
  }

  /** Requests of `method` the exchange logged on connection `id` (or per connection). */
  methodCount(method: string | ((m: string) => boolean), connectionId?: number): number {
    const match = typeof method === 'string' ? (m: string) => m === method : method;
    return this.exchange.requestLog.filter(
      (r) => match(r.method) && (connectionId === undefined || r.connectionId === connectionId),
    ).length;
  }

  perConnection(match: (method: string) => boolean): Map<number, number> {
    const counts = new Map<number, number>();
    for (const r of this.exchange.requestLog)
      if (match(r.method)) counts.set(r.connectionId, (counts.get(r.connectionId) ?? 0) + 1);
    return counts;
  }

  snapshotCounts(): Map<string, number>[] {
    return this.consumers.map((c) => new Map([...c.channels].map((ch) => [ch, c.count(ch)])));
  }

  /** Resolves once the connection left ready (a down event) `n` times in total. */
  waitForDowns(n: number, timeoutMs = 5_000): Promise<unknown> {
    return waitFor(() => this.eventsOf('down').length >= n, { timeoutMs, message: `${n} down event(s)` });
  }

  waitForState(state: SupervisedConnection['state'], timeoutMs = 5_000): Promise<unknown> {
    return waitFor(() => this.connection.state === state, { timeoutMs, message: `state ${state} (is ${this.connection.state})` });
  }

  /** Every consumer got at least `atLeast` new messages on every desired channel it watches. */
  async waitForData(atLeast = 2, timeoutMs = 5_000): Promise<void> {
    const before = this.snapshotCounts();
    await waitFor(
      () =>
        this.consumers.every((consumer, i) =>
          [...consumer.channels].every((ch) => consumer.count(ch) >= (before[i]!.get(ch) ?? 0) + atLeast),
        ),
      { timeoutMs, message: `${atLeast} new messages on every channel for every consumer: ${this.describeCounts(before)}` },
    );
  }

  private describeCounts(before: Map<string, number>[]): string {
    return this.consumers
      .map(
        (c, i) =>
          `#${i} ` +
          [...c.channels]
            .filter((ch) => BASE_CHANNELS.includes(ch))
            .map((ch) => `${ch.split('.')[0]}:${before[i]!.get(ch) ?? 0}→${c.count(ch)}`)
            .join(' '),
      )
      .join('; ');
  }

  /** Every error text the connection produced (events, last error, consumer errors): for secret audits. */
  errorMessages(): string[] {
    const messages: string[] = [];
    for (const e of this.events) {
      if (e.type === 'down') messages.push(e.message);
      if ((e.type === 'state' || e.type === 'circuit') && e.reason) messages.push(e.reason);
    }
    const last = this.connection.stats().lastError;
    if (last) messages.push(last.message);
    for (const c of this.consumers)
      for (const { error } of c.errors) messages.push(error instanceof Error ? error.message : String(error));
    return messages;
  }

  // ---- invariants -----------------------------------------------------------------------------

  /**
   * Nothing lost, nothing duplicated, one layer reconnecting. Run after recovery, before close.
   * `limits` bound the subscribe/auth calls the exchange may see per connection.
   */
  async assertRecoveredInvariants(limits: InvariantLimits = {}): Promise<void> {
    const c = this.connection;
    await this.waitForState('ready', 10_000);
    const desired = [...this.desired].sort();
    // Nothing lost: the exchange holds exactly the desired set, on exactly one connection.
    await waitFor(
      () => {
        const live = this.exchange.connections();
        return live.length === 1 && JSON.stringify([...live[0]!.subscriptions].sort()) === JSON.stringify(desired);
      },
      {
        timeoutMs: 5_000,
        message: `exchange subscriptions to equal ${desired.join(',')}: ${JSON.stringify(this.exchange.connections().map((x) => x.subscriptions))}`,
      },
    );
    const stats = c.stats();
    expectEqual(stats.subscriptions, desired.length, 'stats().subscriptions');
    expectEqual(stats.sessionSubscriptions, desired.length, 'stats().sessionSubscriptions');
    // ...and data resumes on every channel for every consumer.
    await this.waitForData(2, 5_000);

    // Nothing duplicated: each channel once per session (a gap resync unsubscribes first).
    const violations = this.venue.sessions.flatMap((s) => s.violations);
    expectEqual(violations, [], 'channels subscribed twice on one session');
    const current = this.venue.currentSession;
    if (current === undefined) throw new Error('no venue session recorded');
    for (const channel of desired) {
      const subs = current.subscribes.get(channel) ?? 0;
      const unsubs = current.unsubscribes.get(channel) ?? 0;
      expectEqual(subs - unsubs, 1, `net subscribes of ${channel} on the current session`);
    }
    const subscribeCalls = this.perConnection((m) => m.endsWith('/subscribe'));
    const maxSubscribe = limits.subscribeCallsPerConnection ?? 2;
    for (const [id, n] of subscribeCalls) {
      if (n > maxSubscribe) throw new Error(`exchange connection ${id} saw ${n} subscribe calls (limit ${maxSubscribe})`);
    }
    const authCalls = this.perConnection((m) => m === 'public/auth');
    const maxAuth = limits.authCallsPerConnection ?? 1;
    for (const [id, n] of authCalls) {
      if (n > maxAuth) throw new Error(`exchange connection ${id} saw ${n} public/auth calls (limit ${maxAuth})`);
    }
    for (const consumer of this.consumers) {
      expectEqual(consumer.duplicates, [], `duplicates seen by consumer ${consumer.id}`);
      expectEqual(consumer.continuityErrors, [], `book continuity for consumer ${consumer.id}`);
      expectEqual(
        consumer.errors.map((e) => e.channel),
        [],
        `stream errors for consumer ${consumer.id}`,
      );
      expectEqual([...consumer.completed], [], `completed streams for consumer ${consumer.id}`);
    }

    // One layer reconnects: every down led to exactly one new build, each build (and each
    // make-before-break rotation) to at most one socket.
    const downs = this.eventsOf('down');
    expectEqual(stats.reconnects, downs.length, `reconnects vs down events (${downs.map((d) => d.code).join(', ')})`);
    const rotations = stats.rotations?.started ?? 0;
    if (this.exchange.counters.connections > stats.reconnects + 1 + rotations) {
      throw new Error(
        `exchange saw ${this.exchange.counters.connections} connections for ${stats.reconnects} rebuilds and ${rotations} rotations`,
      );
    }
    if (!limits.circuitMayOpen && this.eventsOf('circuit').length > 0) {
      throw new Error(`circuit events: ${JSON.stringify(this.eventsOf('circuit'))}`);
    }
  }

  /** Nothing leaked: close everything, then no socket, timer, listener or handle is left. */
  async closeAndAssertNoLeaks(): Promise<void> {
    await this.close();
    const leftovers = this.venue.clients
      .map((client, i) => ({ i, state: client.state, events: client.eventNames().map(String) }))
      .filter((x) => x.state !== 'closed' || x.events.length > 0);
    expectEqual(leftovers, [], 'ExchangeClients still open or with listeners after close');
    await settleNoResourceGrowth(this.baseline, { timeoutMs: 3_000 });
  }

  /** Idempotent; always safe in a finally. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pumpTimer);
    clearInterval(this.sweepTimer);
    try {
      await this.connection.close();
      for (const consumer of this.consumers) {
        for (const channel of consumer.channels) {
          if (!consumer.completed.has(channel) && consumer.errors.length === 0) {
            throw new Error(`consumer ${consumer.id} stream ${channel} did not complete on close`);
          }
        }
      }
      await this.exchange.waitFor(() => this.exchange.connections().length === 0, 3_000);
    } finally {
      for (const s of this.subscriptions) s.unsubscribe();
      this.eventSubscription.unsubscribe();
      await this.proxy.stop();
      await this.exchange.stop();
    }
  }
}

export interface InvariantLimits {
  /** Subscribe calls (public + private) the exchange may see on one connection (default 2). */
  subscribeCallsPerConnection?: number;
  /** public/auth calls on one connection (default 1; token refreshes add to it). */
  authCallsPerConnection?: number;
  /** The row opens the circuit on purpose. */
  circuitMayOpen?: boolean;
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

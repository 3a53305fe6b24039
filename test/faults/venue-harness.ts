import {
  SupervisedConnection,
  noJitter,
  type ClientLogger,
  type ConnectionEvent,
  type SupervisedClientOptions,
  type SupervisedConnectionOptions,
  type VenueAdapter,
} from '@exchange-connection/core';
import type { FaultProxy } from '@exchange-connection/testkit';
import type { Subscription } from 'rxjs';
import { settleNoResourceGrowth, type ResourceCounts } from '../support/open-handles.js';
import { waitFor } from '../support/wait-for.js';
import type { RecordingConsumer } from './consumer-log.js';
import {
  assertClientsReleased,
  assertLegInvariants,
  expectEqual,
  legErrorMessages,
  waitForConsumerData,
  type RecordedLeg,
} from './harness-checks.js';
import { RecordingVenue } from './recording-venue.js';

/**
 * What the venue fault matrices with more than one connection (Bybit, Binance) share: a leg (one
 * supervised connection, its recording venue, its consumers and events) and the harness around the
 * legs (feed pump, sweep, the recovered invariants, close and the leak check). Each venue's harness
 * says only what differs: its exchange, endpoints, feed, and the checks its protocol adds.
 */

/** Client maxPayload in the matrices (the oversize rows send above it). */
export const CLIENT_MAX_PAYLOAD = 64 * 1024;

export const quietLogger: ClientLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** The adapters' back-off on a venue's rate limit or restart errors, in every matrix. */
export const ADAPTER_BACK_OFF = { baseDelayMs: 50, maxDelayMs: 400, maxAttempts: 8 };

/** Settings a row may give every leg's connection, and the harness's feed. */
export interface LegConnectionConfig {
  /** Consumers per leg (default: the venue's). */
  consumers?: number;
  /** Supervisor silence bound (default: the venue's); the sweep runs every 50 ms. */
  silenceTimeoutMs?: number;
  /** Harness feed: one message per channel per tick (default 25 ms). */
  pumpIntervalMs?: number;
  client?: SupervisedClientOptions;
  circuitBreaker?: { failureThreshold?: number; cooldownMs?: number };
  rotation?: SupervisedConnectionOptions['rotation'];
  /** Bound on close (default 500 ms). */
  closeTimeoutMs?: number;
}

export interface LegSettings extends LegConnectionConfig {
  /** The connection's name (`<venue>-<leg>`). */
  connectionName: string;
  url: string;
  session: SupervisedConnectionOptions['session'];
  requestTimeoutMs: number;
  silenceTimeoutMs: number;
  logger: ClientLogger;
}

/** One supervised connection of a harness (one venue endpoint) and what watches it. */
export class VenueLeg<Name extends string, Consumer extends RecordingConsumer> implements RecordedLeg {
  readonly consumers: Consumer[] = [];
  readonly events: ConnectionEvent[] = [];
  readonly desired = new Set<string>();
  /** Exchange connection ids this leg opened (from the exchange's `connection` events). */
  readonly exchangeConnections: number[] = [];
  readonly venue: RecordingVenue;
  readonly connection: SupervisedConnection;
  private readonly eventSubscription: Subscription;

  constructor(
    readonly name: Name,
    adapter: VenueAdapter,
    settings: LegSettings,
  ) {
    this.venue = new RecordingVenue(adapter);
    this.connection = new SupervisedConnection({
      name: settings.connectionName,
      url: settings.url,
      venue: this.venue,
      session: settings.session,
      // The client's own ws ping is off so the supervisor's silence bound and the venue's heartbeat
      // are what the matrix measures: with it on, pongs count as life (see README, "heartbeats paused").
      client: {
        heartbeat: false,
        requestTimeoutMs: settings.requestTimeoutMs,
        connectTimeoutMs: 1_000,
        maxPayload: CLIENT_MAX_PAYLOAD,
        ...settings.client,
      },
      rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
      circuitBreaker: { failureThreshold: 5, cooldownMs: 1_500, ...settings.circuitBreaker },
      silenceTimeoutMs: settings.silenceTimeoutMs,
      closeTimeoutMs: settings.closeTimeoutMs ?? 500,
      ...(settings.rotation === undefined ? {} : { rotation: settings.rotation }),
      logger: settings.logger,
    });
    this.eventSubscription = this.connection.events$.subscribe((event) => this.events.push(event));
  }

  eventsOf<T extends ConnectionEvent['type']>(type: T): Array<Extract<ConnectionEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<ConnectionEvent, { type: T }> => e.type === type);
  }

  stop(): void {
    this.eventSubscription.unsubscribe();
  }
}

/**
 * Lets `tap` see every request the adapter's codecs encode (method and params), before it is
 * written; the adapter's behaviour is unchanged. The matrices record signed requests with it.
 */
export function tapEncodes<Codec extends { encode(id: number, method: string, params: object | undefined): string }>(
  adapter: { createCodec(): Codec },
  tap: (method: string, params: object | undefined) => void,
): void {
  const create = adapter.createCodec.bind(adapter);
  adapter.createCodec = () => {
    const codec = create();
    const encode = codec.encode.bind(codec);
    codec.encode = (id, method, params) => {
      tap(method, params);
      return encode(id, method, params);
    };
    return codec;
  };
}

/** What a harness needs of its test exchange. */
export interface HarnessExchange {
  connections(): readonly unknown[];
  waitFor(condition: () => boolean, timeoutMs: number): Promise<unknown>;
  stop(): Promise<void>;
}

/** Bounds every venue's recovered invariants take. */
export interface LegInvariantLimits {
  /** The row opens the circuit on purpose. */
  circuitMayOpen?: boolean;
}

/**
 * A test exchange behind a FaultProxy and one SupervisedConnection per leg through it, each leg
 * watched by N consumers recording every message; a feed pump and a sweep. Everything it opens,
 * `close()` closes.
 */
export abstract class VenueFaultHarness<
  Name extends string,
  Consumer extends RecordingConsumer,
  Exchange extends HarnessExchange,
  Limits extends LegInvariantLimits,
> {
  abstract readonly legs: Record<Name, VenueLeg<Name, Consumer>>;
  readonly notes: string[] = [];
  private readonly subscriptions: Subscription[] = [];
  private pumpTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private pumpPaused = false;
  private closed = false;

  protected constructor(
    readonly exchange: Exchange,
    readonly proxy: FaultProxy,
    private readonly baseline: ResourceCounts,
    readonly silenceTimeoutMs: number,
  ) {}

  /** The legs in their fixed order. */
  legList(): Array<VenueLeg<Name, Consumer>> {
    return Object.values(this.legs);
  }

  /** N consumers of `channelsOf(leg)` per leg; every leg started; the sweep and the pump running. */
  protected begin(channelsOf: (leg: Name) => readonly string[], consumers: number, pumpIntervalMs: number): void {
    for (const leg of this.legList()) {
      for (let i = 0; i < consumers; i++) this.addConsumer(leg, channelsOf(leg.name));
      leg.connection.start();
    }
    this.sweepTimer = setInterval(() => {
      for (const leg of this.legList()) leg.connection.sweep();
    }, 50);
    this.pumpTimer = setInterval(() => {
      if (!this.pumpPaused && !this.closed) this.pump();
    }, pumpIntervalMs);
  }

  /** One tick of the feed: publishes on the exchange what the legs want. */
  protected abstract pump(): void;

  protected abstract newConsumer(id: number): Consumer;

  /** A new consumer of `channels` on `leg`; they join the leg's desired set. */
  addConsumer(leg: VenueLeg<Name, Consumer>, channels: readonly string[]): Consumer {
    const log = this.newConsumer(leg.consumers.length);
    leg.consumers.push(log);
    this.watch(leg, log, channels);
    return log;
  }

  /** `consumer` also watches `channels` of `leg` (they join the leg's desired set). */
  watch(leg: VenueLeg<Name, Consumer>, consumer: Consumer, channels: readonly string[]): void {
    for (const channel of channels) {
      leg.desired.add(channel);
      consumer.channels.add(channel);
      this.subscriptions.push(
        leg.connection.channel$(channel).subscribe({
          next: (message) => consumer.record(channel, message),
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

  waitForDowns(leg: VenueLeg<Name, Consumer>, n: number, timeoutMs = 5_000): Promise<unknown> {
    return waitFor(() => leg.eventsOf('down').length >= n, { timeoutMs, message: `${leg.name}: ${n} down event(s)` });
  }

  waitForState(leg: VenueLeg<Name, Consumer>, state: SupervisedConnection['state'], timeoutMs = 5_000): Promise<unknown> {
    return waitFor(() => leg.connection.state === state, {
      timeoutMs,
      message: `${leg.name}: state ${state} (is ${leg.connection.state})`,
    });
  }

  /** Every leg ready. */
  async whenAllReady(timeoutMs: number): Promise<void> {
    for (const leg of this.legList()) await leg.connection.whenReady(timeoutMs);
  }

  /** Every consumer of every leg got at least `atLeast` new messages on every channel it watches. */
  waitForData(atLeast = 2, timeoutMs = 5_000): Promise<void> {
    return waitForConsumerData(this.legList(), atLeast, timeoutMs);
  }

  /** Every error text the connections produced (events, last error, consumer errors): for secret audits. */
  errorMessages(): string[] {
    return this.legList().flatMap((leg) => legErrorMessages(leg));
  }

  /** What the exchange holds for `leg` now: one list of channels per open socket of that leg. */
  protected abstract held(leg: VenueLeg<Name, Consumer>): string[][];

  /** What the venue adds to "nothing lost" once the leg holds its set (e.g. the socket authenticated). */
  protected assertHeld(_leg: VenueLeg<Name, Consumer>): void {}

  /** What the venue adds to "nothing duplicated" per leg (subscribe / auth requests per socket, signatures). */
  protected abstract assertLegRequests(leg: VenueLeg<Name, Consumer>, limits: Limits): void;

  /** What the venue checks once for the whole exchange after the legs (e.g. its frame limit). */
  protected assertExchange(): void {}

  /** Nothing lost, nothing duplicated, one layer reconnecting — for every leg. Run after recovery, before close. */
  async assertRecoveredInvariants(limits: Limits = {} as Limits): Promise<void> {
    for (const leg of this.legList()) {
      await this.waitForState(leg, 'ready', 10_000);
      const desired = [...leg.desired].sort();
      // Nothing lost: the exchange holds exactly the desired set, on exactly one connection of the leg.
      await waitFor(() => JSON.stringify(this.held(leg)) === JSON.stringify([desired]), {
        timeoutMs: 5_000,
        message: `${leg.name}: exchange to hold ${desired.join(',')} on one connection: ${JSON.stringify(this.held(leg))}`,
      });
      // The per-socket checks below count on the exchange's connection events reaching the leg.
      if (leg.exchangeConnections.length === 0) throw new Error(`${leg.name}: no exchange connection recorded`);
      this.assertHeld(leg);
      const stats = leg.connection.stats();
      expectEqual(stats.subscriptions, desired.length, `${leg.name} stats().subscriptions`);
      expectEqual(stats.sessionSubscriptions, desired.length, `${leg.name} stats().sessionSubscriptions`);
    }
    // ...and data resumes on every channel for every consumer.
    await this.waitForData(2, 5_000);
    for (const leg of this.legList()) {
      // Nothing duplicated (each channel once per session; a gap resync unsubscribes first), one layer reconnecting.
      assertLegInvariants(leg, { circuitMayOpen: limits.circuitMayOpen });
      this.assertLegRequests(leg, limits);
    }
    this.assertExchange();
  }

  /** Nothing leaked: close everything, then no socket, timer, listener or handle is left. */
  async closeAndAssertNoLeaks(): Promise<void> {
    await this.close();
    for (const leg of this.legList()) assertClientsReleased(leg);
    await settleNoResourceGrowth(this.baseline, { timeoutMs: 3_000 });
  }

  /** Idempotent; always safe in a finally. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pumpTimer);
    clearInterval(this.sweepTimer);
    await closeWorld(this.legList(), this.exchange, this.proxy, () => {
      for (const s of this.subscriptions) s.unsubscribe();
      for (const leg of this.legList()) leg.stop();
    });
  }
}

/**
 * Closes every leg's connection and checks each consumer stream completed (or errored), then waits
 * until the exchange holds no socket; whatever failed, `release` runs and the proxy and the
 * exchange stop.
 */
export async function closeWorld(
  legs: ReadonlyArray<Pick<RecordedLeg, 'name' | 'consumers'> & { readonly connection: { close(): Promise<void> } }>,
  exchange: HarnessExchange,
  proxy: FaultProxy,
  release: () => void,
): Promise<void> {
  try {
    for (const leg of legs) {
      await leg.connection.close();
      for (const consumer of leg.consumers) {
        for (const channel of consumer.channels) {
          if (!consumer.completed.has(channel) && consumer.errors.length === 0) {
            throw new Error(`${leg.name}: consumer ${consumer.id} stream ${channel} did not complete on close`);
          }
        }
      }
    }
    await exchange.waitFor(() => exchange.connections().length === 0, 3_000);
  } finally {
    release();
    await proxy.stop();
    await exchange.stop();
  }
}

/** Exchange requests matching `match`, counted per connection of `leg`. */
export function countPerConnection<E extends { connectionId: number }>(
  log: readonly E[],
  leg: Pick<RecordedLeg, 'exchangeConnections'>,
  match: (entry: E) => boolean,
): Map<number, number> {
  const counts = new Map<number, number>();
  for (const entry of log) {
    if (match(entry) && leg.exchangeConnections.includes(entry.connectionId)) {
      counts.set(entry.connectionId, (counts.get(entry.connectionId) ?? 0) + 1);
    }
  }
  return counts;
}

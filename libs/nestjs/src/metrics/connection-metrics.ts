import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { ConnectionState, ConnectionStats, ExchangeConnection } from '@exchange-connection/core';

export interface ConnectionMetricsOptions {
  /** Where the metrics live. Required: the global default registry would collide across apps. */
  registry: Registry;
  /** Metric name prefix (default `exchange_connection_`). */
  prefix?: string;
  /** Rebuild duration buckets, seconds. */
  rebuildBuckets?: number[];
  /** Rotation duration buckets (start → the new socket serves), seconds; default as the rebuild's. */
  rotationBuckets?: number[];
}

/**
 * What the collector reads: the connections alive right now (a supervisor's `list()`). A
 * connection that says how many sockets carry it (`shardCount`, a ShardedConnection) gets a
 * `shards` gauge too.
 */
export type ConnectionSource = () => readonly (ExchangeConnection & { readonly shardCount?: number })[];

export const CONNECTION_STATES: readonly ConnectionState[] = [
  'idle',
  'connecting',
  'authenticating',
  'restoring',
  'ready',
  'reconnecting',
  'circuit-open',
  'closed',
];
export const CIRCUIT_STATES: readonly ConnectionStats['circuit'][] = ['closed', 'open', 'half-open'];

const DEFAULT_REBUILD_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** How each cumulative counter reads its total from `stats()` (a connection without rotations counts 0). */
const CUMULATIVE = {
  reconnects: (s: ConnectionStats) => s.reconnects,
  messagesReceived: (s: ConnectionStats) => s.messagesReceived,
  gaps: (s: ConnectionStats) => s.gaps,
  malformedFrames: (s: ConnectionStats) => s.malformedFrames,
  rotationsCompleted: (s: ConnectionStats) => s.rotations?.completed ?? 0,
  rotationsFailed: (s: ConnectionStats) => s.rotations?.failed ?? 0,
  rotationsAbandoned: (s: ConnectionStats) => s.rotations?.abandoned ?? 0,
  rotationForcedChannels: (s: ConnectionStats) => s.rotations?.forcedChannels ?? 0,
} as const;
type CumulativeKey = keyof typeof CUMULATIVE;

/** The outcomes `rotations_total` counts, each from its `stats().rotations` counter. */
const ROTATION_OUTCOMES: ReadonlyArray<[outcome: string, key: CumulativeKey]> = [
  ['completed', 'rotationsCompleted'],
  ['failed', 'rotationsFailed'],
  ['abandoned', 'rotationsAbandoned'],
];

/**
 * Prometheus metrics per connection (label `connection`). Gauges and the cumulative counters are
 * read from `stats()` at scrape time, so they agree with /health and cost nothing per message; the
 * rebuild histogram and the per-code `down` counter come from `events$`. Connections that appear
 * later (a pool growing) are picked up at the next scrape; call `track()` right after adding one
 * to also see its first rebuild.
 */
export class ConnectionMetrics {
  private readonly tracked = new Map<ExchangeConnection, Subscription>();
  /** Last cumulative values seen per connection object, so counters only ever go up. */
  private readonly seen = new Map<ExchangeConnection, Partial<Record<CumulativeKey, number>>>();
  private readonly rebuildSeconds: Histogram<'connection'>;
  private readonly restoredTotal: Counter<'connection'>;
  private readonly downTotal: Counter<'connection' | 'code'>;
  private readonly circuitOpensTotal: Counter<'connection'>;
  private readonly rotationSeconds: Histogram<'connection'>;
  private readonly registry: Registry;
  private readonly names: string[] = [];

  constructor(
    private readonly source: ConnectionSource,
    options: ConnectionMetricsOptions,
  ) {
    const registry = options.registry;
    this.registry = registry;
    const p = options.prefix ?? 'exchange_connection_';
    const registers = [registry];
    const name = (n: string) => {
      this.names.push(p + n);
      return p + n;
    };
    // Inside collect() `this` is the metric; these reach the collector.
    const current = () => this.current();
    const advance = (c: ExchangeConnection, key: CumulativeKey) => this.advance(c, key);

    new Gauge({
      name: name('state'),
      help: 'Current state per connection: 1 for the state it is in, 0 for the others.',
      labelNames: ['connection', 'state'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) {
          const state = c.state;
          for (const s of CONNECTION_STATES) this.set({ connection: c.name, state: s }, s === state ? 1 : 0);
        }
      },
    });
    // Replicas sharing a connection (coordination on): present only for coordinated connections.
    const coordinated = () =>
      current().flatMap((c) => {
        const coordination = coordinationOf(c);
        return coordination === undefined ? [] : [{ name: c.name, coordination }];
      });
    const coordinationGauge = (metric: string, help: string, read: (c: CoordinationView) => number | undefined) =>
      new Gauge({
        name: name(metric),
        help,
        labelNames: ['connection'],
        registers,
        collect() {
          this.reset();
          for (const { name: connection, coordination } of coordinated()) {
            const value = read(coordination);
            if (value !== undefined) this.set({ connection }, value);
          }
        },
      });
    coordinationGauge('lease_owner', '1 when this replica owns the connection (its lease), 0 on a standby.', (c) =>
      c.role === 'owner' ? 1 : 0,
    );
    coordinationGauge('lease_epoch', "The current owner's fencing epoch (the lease's revision at acquisition).", (c) => c.epoch);
    coordinationGauge('lease_renewals', 'Lease renewals by this replica (cumulative).', (c) => c.renewals);
    coordinationGauge(
      'lease_failovers',
      'Times this replica took the connection over from another (cumulative).',
      (c) => c.failovers,
    );
    coordinationGauge(
      'lease_fencings',
      'Times this replica fenced itself: lease deadline passed unrenewed (cumulative).',
      (c) => c.fencings,
    );
    coordinationGauge('fanout_gaps', 'Lost fan-out messages detected on NATS (cumulative).', (c) => c.fanOutGaps);
    coordinationGauge('fanout_lag_seconds', 'Owner publish → this replica, last message (two clocks: indicative).', (c) =>
      c.fanOutLagMs === undefined ? undefined : c.fanOutLagMs / 1000,
    );
    new Gauge({
      name: name('state_since_seconds'),
      help: 'Unix time (seconds) when the connection entered its current state.',
      labelNames: ['connection'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) this.set({ connection: c.name }, c.stats().stateSince / 1000);
      },
    });
    new Gauge({
      name: name('up'),
      help: '1 when the connection is ready, else 0.',
      labelNames: ['connection'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) this.set({ connection: c.name }, c.state === 'ready' ? 1 : 0);
      },
    });
    new Gauge({
      name: name('circuit_state'),
      help: 'Circuit breaker per connection: 1 for its current circuit state (closed, open, half-open), 0 for the others.',
      labelNames: ['connection', 'circuit'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) {
          const circuit = c.stats().circuit;
          for (const s of CIRCUIT_STATES) this.set({ connection: c.name, circuit: s }, s === circuit ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: name('consecutive_failures'),
      help: 'Failed rebuild attempts since the last ready.',
      labelNames: ['connection'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) this.set({ connection: c.name }, c.stats().consecutiveFailures);
      },
    });
    new Gauge({
      name: name('last_message_age_seconds'),
      help: 'Seconds since the last inbound frame on the current session (absent before the first).',
      labelNames: ['connection'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) {
          const age = c.stats().lastInboundAgeMs;
          if (age !== undefined) this.set({ connection: c.name }, age / 1000);
        }
      },
    });
    new Gauge({
      name: name('shards'),
      help: 'Sockets carrying the connection (more than 1 when the venue caps what one socket may hold).',
      labelNames: ['connection'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) if (c.shardCount !== undefined) this.set({ connection: c.name }, c.shardCount);
      },
    });
    new Gauge({
      name: name('in_flight_requests'),
      help: 'Requests sent and not yet answered.',
      labelNames: ['connection'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) this.set({ connection: c.name }, c.stats().inFlight);
      },
    });
    new Gauge({
      name: name('subscriptions'),
      help: 'Channels consumers want (the desired set restored on every rebuild).',
      labelNames: ['connection'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) this.set({ connection: c.name }, c.stats().subscriptions);
      },
    });
    new Gauge({
      name: name('restored_subscriptions'),
      help: 'Channels restored by the last (re)build.',
      labelNames: ['connection'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) this.set({ connection: c.name }, c.stats().lastRestoredSubscriptions);
      },
    });

    const cumulative = (key: CumulativeKey, metric: string, help: string) =>
      new Counter({
        name: name(metric),
        help,
        labelNames: ['connection'],
        registers,
        collect() {
          for (const c of current()) {
            const delta = advance(c, key);
            if (delta > 0) this.inc({ connection: c.name }, delta);
            else this.inc({ connection: c.name }, 0);
          }
        },
      });
    cumulative('reconnects', 'reconnects_total', 'Sessions rebuilt after the first (each = a new socket, auth and restore).');
    cumulative('messagesReceived', 'messages_received_total', 'Channel messages delivered to consumers.');
    cumulative('gaps', 'gaps_total', 'Sequence gaps detected on book channels (each resubscribes the channel).');
    cumulative(
      'malformedFrames',
      'malformed_frames_total',
      'Inbound frames that could not be used (ignored; the connection lives on).',
    );

    // Make-before-break rotations: the outcomes and forced switches from stats() (they agree with
    // /health), the durations from the `rotation` events.
    new Counter({
      name: name('rotations_total'),
      help: 'Make-before-break socket rotations by outcome: completed (the new socket serves), failed (the old one serves on; retried), abandoned (the serving socket died first).',
      labelNames: ['connection', 'outcome'],
      registers,
      collect() {
        for (const c of current()) {
          for (const [outcome, key] of ROTATION_OUTCOMES) this.inc({ connection: c.name, outcome }, advance(c, key));
        }
      },
    });
    cumulative(
      'rotationForcedChannels',
      'rotation_forced_channels_total',
      'Channels a rotation switched to the new socket at the overlap bound, without the two streams joining.',
    );
    new Gauge({
      name: name('rotating'),
      help: "1 while a rotation runs on one of the connection's sockets, else 0.",
      labelNames: ['connection'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) {
          const rotations = c.stats().rotations;
          if (rotations !== undefined) this.set({ connection: c.name }, rotations.rotating ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: name('last_rotation_duration_seconds'),
      help: 'Duration of the last completed rotation, start to the new socket serving (absent before the first).',
      labelNames: ['connection'],
      registers,
      collect() {
        this.reset();
        for (const c of current()) {
          const ms = c.stats().rotations?.lastRotationMs;
          if (ms !== undefined) this.set({ connection: c.name }, ms / 1000);
        }
      },
    });
    this.rotationSeconds = new Histogram({
      name: name('rotation_duration_seconds'),
      help: 'Time from starting a rotation to the new socket serving, per completed rotation.',
      labelNames: ['connection'],
      buckets: options.rotationBuckets ?? DEFAULT_REBUILD_BUCKETS,
      registers,
    });

    this.rebuildSeconds = new Histogram({
      name: name('rebuild_duration_seconds'),
      help: 'Time from starting a session to ready (connect, auth, heartbeat, restore), per (re)build.',
      labelNames: ['connection'],
      buckets: options.rebuildBuckets ?? DEFAULT_REBUILD_BUCKETS,
      registers,
    });
    this.restoredTotal = new Counter({
      name: name('restored_subscriptions_total'),
      help: 'Channels restored, summed over every (re)build.',
      labelNames: ['connection'],
      registers,
    });
    this.downTotal = new Counter({
      name: name('down_total'),
      help: 'Sessions lost, by error code (why the connection went down).',
      labelNames: ['connection', 'code'],
      registers,
    });
    this.circuitOpensTotal = new Counter({
      name: name('circuit_opens_total'),
      help: 'Times the circuit breaker opened (rebuilds suspended).',
      labelNames: ['connection'],
      registers,
    });
    for (const connection of source()) this.track(connection);
  }

  /** Follows a connection's events (idempotent). */
  track(connection: ExchangeConnection): void {
    if (this.tracked.has(connection)) return;
    const labels = { connection: connection.name };
    const subscription = connection.events$.subscribe({
      next: (event) => {
        if (event.type === 'ready') {
          this.rebuildSeconds.observe(labels, event.durationMs / 1000);
          this.restoredTotal.inc(labels, event.restoredSubscriptions);
        } else if (event.type === 'down') {
          this.downTotal.inc({ ...labels, code: event.code });
        } else if (event.type === 'circuit' && event.circuit === 'open') {
          this.circuitOpensTotal.inc(labels);
        } else if (event.type === 'rotation' && event.phase === 'completed' && event.durationMs !== undefined) {
          this.rotationSeconds.observe(labels, event.durationMs / 1000);
        }
      },
    });
    this.tracked.set(connection, subscription);
  }

  /** Unsubscribes and removes these metrics from the registry. */
  dispose(): void {
    for (const subscription of this.tracked.values()) subscription.unsubscribe();
    this.tracked.clear();
    for (const metric of this.names) this.registry.removeSingleMetric(metric);
  }

  private current(): ReturnType<ConnectionSource> {
    const connections = this.source();
    for (const connection of connections) this.track(connection);
    return connections;
  }

  private advance(connection: ExchangeConnection, key: CumulativeKey): number {
    const total = CUMULATIVE[key](connection.stats());
    let last = this.seen.get(connection);
    if (last === undefined) {
      last = {};
      this.seen.set(connection, last);
    }
    const before = last[key] ?? 0;
    last[key] = Math.max(before, total);
    return Math.max(0, total - before);
  }
}

/** What the metrics read of a coordinated connection's `stats().coordination` (@exchange-connection/nats). */
interface CoordinationView {
  role: 'owner' | 'standby';
  epoch?: number;
  renewals: number;
  failovers: number;
  fencings: number;
  fanOutGaps: number;
  fanOutLagMs?: number;
}

function coordinationOf(connection: ExchangeConnection): CoordinationView | undefined {
  const stats: object = connection.stats();
  if (!('coordination' in stats)) return undefined;
  const coordination = stats.coordination;
  return coordination !== null && typeof coordination === 'object' && 'role' in coordination
    ? (coordination as CoordinationView)
    : undefined;
}

import { BehaviorSubject, Observable, Subject, distinctUntilChanged, type Subscription } from 'rxjs';
import type { RequestOptions } from '../client/client-types.js';
import { ExchangeConnectionError } from '../client/errors.js';
import type { ConnectionEvent, ConnectionState, ConnectionStats, ExchangeConnection } from './connection-types.js';
import type { RotationStats } from './rotation-plan.js';
import { ShardAllocator } from './shard-allocator.js';
import type { RotationOutcome } from './socket-rotation.js';
import { SupervisedConnection, type SupervisedConnectionOptions } from './supervised-connection.js';

/**
 * How bad a shard's state is for the whole: the worst shard speaks for the connection. A shard
 * being built (a new one, or a rebuild) makes the connection not ready: part of it is not.
 */
const SEVERITY: Readonly<Record<ConnectionState, number>> = {
  ready: 0,
  idle: 1,
  restoring: 2,
  authenticating: 3,
  connecting: 4,
  reconnecting: 5,
  'circuit-open': 6,
  closed: 7,
};

/**
 * One logical connection over several sockets, for venues that cap what one socket carries (Bybit:
 * 21,000 characters of args per public connection; Binance: 1024 streams). Each shard is a full
 * `SupervisedConnection` — its own client, session, registry, rebuilds and circuit — so each is
 * restored on its own. A channel is placed on one shard (first-fit within the adapter's
 * `shardBudget`, sticky while observed, freed by its last teardown) and `channel$` is that shard's
 * own stream: one stream per channel whatever shard carries it, at no cost per message. Without a
 * budget there is one shard and this is a SupervisedConnection with a different name: its state and
 * events are the shard's own streams, not merged copies (every idle connection of a Nest app is one
 * of these, so the merge's subjects and links would cost ~3.5 KB of heap each for nothing).
 */
export class ShardedConnection implements ExchangeConnection {
  readonly name: string;
  readonly state$: Observable<ConnectionState>;
  readonly events$: Observable<ConnectionEvent>;
  private readonly shards: SupervisedConnection[] = [];
  private readonly shardStates: ConnectionState[] = [];
  private readonly allocator: ShardAllocator | undefined;
  private readonly observers = new Map<string, number>();
  /** The shards' states and events merged into one: only with a budget (there may be several shards). */
  private readonly stateSubject: BehaviorSubject<ConnectionState> | undefined;
  private readonly eventSubject: Subject<ConnectionEvent> | undefined;
  private readonly links: Subscription[] = [];
  private started = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SupervisedConnectionOptions) {
    this.name = options.name;
    const budget = options.venue.shardBudget;
    this.allocator = budget === undefined ? undefined : new ShardAllocator(budget);
    if (this.allocator !== undefined) {
      this.stateSubject = new BehaviorSubject<ConnectionState>('idle');
      this.eventSubject = new Subject<ConnectionEvent>();
    }
    // The first shard now: its constructor checks every setting (INVALID_CONFIG at startup).
    const first = this.addShard();
    this.state$ = this.stateSubject?.asObservable().pipe(distinctUntilChanged()) ?? first.state$;
    this.events$ = this.eventSubject?.asObservable() ?? first.events$;
  }

  get state(): ConnectionState {
    return this.stateSubject?.value ?? (this.shards[0] as SupervisedConnection).state;
  }

  /** Shards opened so far (each one socket). */
  get shardCount(): number {
    return this.shards.length;
  }

  /** The shard carrying `channel` while it is observed. */
  shardOf(channel: string): number | undefined {
    return this.allocator === undefined ? (this.observers.has(channel) ? 0 : undefined) : this.allocator.shardOf(channel);
  }

  /** Per-shard stats, in shard order. */
  shardStats(): ConnectionStats[] {
    return this.shards.map((shard) => shard.stats());
  }

  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    for (const shard of this.shards) shard.start();
  }

  channel$<T = unknown>(channel: string): Observable<T> {
    if (typeof channel !== 'string' || channel.length === 0) {
      throw new ExchangeConnectionError('INVALID_CONFIG', 'channel$ needs a non-empty channel name');
    }
    return new Observable<T>((subscriber) => {
      if (this.closing) {
        subscriber.complete();
        return undefined;
      }
      const index = this.allocator === undefined ? 0 : this.allocator.assign(channel);
      if (index === undefined) {
        subscriber.error(
          new ExchangeConnectionError(
            'CHANNEL_REFUSED',
            `connection '${this.name}': no socket has room for ${channel.slice(0, 100)} within the venue's per-socket limit`,
          ),
        );
        return undefined;
      }
      while (this.shards.length <= index) this.addShard();
      this.observers.set(channel, (this.observers.get(channel) ?? 0) + 1);
      const inner = (this.shards[index] as SupervisedConnection).channel$<T>(channel).subscribe(subscriber);
      return () => {
        inner.unsubscribe();
        const left = (this.observers.get(channel) ?? 1) - 1;
        if (left > 0) {
          this.observers.set(channel, left);
          return;
        }
        this.observers.delete(channel);
        this.allocator?.release(channel);
      };
    });
  }

  /** Sent on the first shard (the one that always exists); never replayed. */
  request<T = unknown>(method: string, params?: Record<string, unknown>, opts?: RequestOptions): Promise<T> {
    return (this.shards[0] as SupervisedConnection).request<T>(method, params, opts);
  }

  /** Resolves when every shard is ready; rejects as the first shard that cannot be. */
  async whenReady(timeoutMs?: number): Promise<void> {
    await Promise.all(this.shards.map((shard) => shard.whenReady(timeoutMs)));
  }

  /**
   * Rotates every shard make-before-break (a planned handover). Each shard also rotates on its
   * own — before its socket's lifetime, on a venue notice on its socket — independently of the
   * others; this only starts them together. Resolves with each shard's outcome, in shard order.
   */
  rotate(reason = 'requested'): Promise<RotationOutcome[]> {
    return Promise.all(this.shards.map((shard) => shard.rotate(reason)));
  }

  sweep(now?: number): void {
    for (const shard of this.shards) shard.sweep(now);
  }

  stats(): ConnectionStats {
    const all = this.shardStats();
    const first = all[0] as ConnectionStats;
    const sum = (pick: (s: ConnectionStats) => number) => all.reduce((total, s) => total + pick(s), 0);
    const inbound = all.map((s) => s.lastInboundAt).filter((at): at is number => at !== undefined);
    const lastInboundAt = inbound.length === 0 ? undefined : Math.max(...inbound);
    const errors = all.map((s) => s.lastError).filter((e) => e !== undefined);
    const malformedByReason: Record<string, number> = {};
    for (const s of all)
      for (const [reason, n] of Object.entries(s.malformedByReason))
        malformedByReason[reason] = (malformedByReason[reason] ?? 0) + n;
    const worst = all.reduce((a, b) => (SEVERITY[b.state] > SEVERITY[a.state] ? b : a), first);
    return {
      name: this.name,
      state: this.state,
      stateSince: worst.stateSince,
      reconnects: sum((s) => s.reconnects),
      consecutiveFailures: Math.max(...all.map((s) => s.consecutiveFailures)),
      circuit: all.some((s) => s.circuit === 'open')
        ? 'open'
        : all.some((s) => s.circuit === 'half-open')
          ? 'half-open'
          : 'closed',
      subscriptions: sum((s) => s.subscriptions),
      sessionSubscriptions: sum((s) => s.sessionSubscriptions),
      lastRestoredSubscriptions: sum((s) => s.lastRestoredSubscriptions),
      lastRebuildMs: Math.max(...all.map((s) => s.lastRebuildMs ?? 0)) || undefined,
      messagesReceived: sum((s) => s.messagesReceived),
      lastInboundAt,
      lastInboundAgeMs: lastInboundAt === undefined ? undefined : Math.min(...all.map((s) => s.lastInboundAgeMs ?? Infinity)),
      inFlight: sum((s) => s.inFlight),
      malformedFrames: sum((s) => s.malformedFrames),
      malformedByReason,
      gaps: sum((s) => s.gaps),
      rotations: sumRotations(all),
      lastError: errors.length === 0 ? undefined : errors.reduce((a, b) => (b.at > a.at ? b : a)),
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await Promise.all(this.shards.map((shard) => shard.close()));
    for (const link of this.links) link.unsubscribe();
    this.stateSubject?.next('closed');
    this.stateSubject?.complete();
    this.eventSubject?.complete();
  }

  private addShard(): SupervisedConnection {
    const index = this.shards.length;
    // Shard 0 keeps the connection's name (logs, metrics); the others say which socket they are.
    const shard = new SupervisedConnection(index === 0 ? this.options : { ...this.options, name: `${this.name}/${index}` });
    this.shards.push(shard);
    const events = this.eventSubject;
    if (events !== undefined) {
      this.shardStates.push(shard.state);
      this.links.push(
        shard.state$.subscribe((state) => {
          this.shardStates[index] = state;
          this.updateState();
        }),
        shard.events$.subscribe((event) => events.next(event)),
      );
    }
    if (this.started) shard.start();
    return shard;
  }

  private updateState(): void {
    if (this.stateSubject === undefined || this.stateSubject.isStopped) return;
    let worst: ConnectionState = 'ready';
    for (const state of this.shardStates) if (SEVERITY[state] > SEVERITY[worst]) worst = state;
    // 'closed' only when the whole connection closes (close() sets it), not when one shard does.
    if (worst === 'closed' && !this.closing) return;
    this.stateSubject.next(worst);
  }
}

/** Rotation counters over every shard (each shard rotates on its own). */
function sumRotations(all: readonly ConnectionStats[]): RotationStats {
  const total: RotationStats = { rotating: false, started: 0, completed: 0, failed: 0, abandoned: 0, forcedChannels: 0 };
  for (const { rotations } of all) {
    if (rotations === undefined) continue;
    total.rotating ||= rotations.rotating;
    total.started += rotations.started;
    total.completed += rotations.completed;
    total.failed += rotations.failed;
    total.abandoned += rotations.abandoned;
    total.forcedChannels += rotations.forcedChannels;
    if (rotations.lastRotationMs !== undefined)
      total.lastRotationMs = Math.max(total.lastRotationMs ?? 0, rotations.lastRotationMs);
  }
  return total;
}

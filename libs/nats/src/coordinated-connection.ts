import { BehaviorSubject, Observable, Subject, distinctUntilChanged, type Subscriber, type Subscription } from 'rxjs';
import type { Subscription as NatsSubscription } from '@nats-io/transport-node';
import {
  ExchangeConnectionError,
  isExchangeConnectionError,
  ShardedConnection,
  SupervisedConnection,
  waitForReady,
  type ClientLogger,
  type ConnectionEvent,
  type ConnectionState,
  type ExchangeConnection,
  type RequestOptions,
  type SupervisedConnectionOptions,
  type VenueAdapter,
} from '@exchange-connection/core';
import { ChannelHub } from './channel-hub.js';
import { ChannelInterest } from './channel-interest.js';
import { ConnectionLease, type LeaseHolder } from './connection-lease.js';
import { describe, newCoordinationCounters, notOwner, type CoordinationContext } from './coordination-context.js';
import { coordinatedStats } from './coordination-stats.js';
import type { CoordinatedConnectionStats, CoordinationSettings, NatsLink, Ownership } from './coordination-types.js';
import { fenceVenue } from './fence-venue.js';
import { NatsStatusWatch } from './nats-status-watch.js';
import { OwnerAnnouncements } from './owner-announcements.js';
import { OwnerFanOut } from './owner-fan-out.js';
import { RequestRelay } from './request-relay.js';
import { StandbyFeed } from './standby-feed.js';
import { connectionSubjects, leaseKey, type ConnectionSubjects } from './subject-names.js';

/**
 * One named connection shared by replicas. Exactly one replica — the holder of the lease — runs
 * the connection's sockets (auth, heartbeat, cancel-on-disconnect, subscriptions); a standby does
 * not start one. Consumers see the same `ExchangeConnection` everywhere: on the owner `channel$` is
 * fed by its session and every notification is published on NATS; on a standby it is fed from
 * NATS; `request` goes to the owner over NATS request/reply. Streams outlive every change of owner.
 *
 * This class is the coordinator: it holds the lease, the channel hubs and the role switch. The
 * owner's publishing is `OwnerFanOut`, the standby's subscribing `StandbyFeed`, the standbys' wants
 * `ChannelInterest`, request/reply `RequestRelay`, the owner subject `OwnerAnnouncements`; each
 * sees only its `Pick` of `CoordinationContext`, read at the moment of use.
 */
export class CoordinatedConnection implements ExchangeConnection {
  readonly name: string;
  readonly state$: Observable<ConnectionState>;
  readonly events$: Observable<ConnectionEvent>;
  readonly ownership$: Observable<Ownership>;
  private readonly stateSubject = new BehaviorSubject<ConnectionState>('idle');
  private readonly eventSubject = new Subject<ConnectionEvent>();
  private readonly ownershipSubject = new BehaviorSubject<Ownership>({ role: 'standby' });
  private readonly subjects: ConnectionSubjects;
  private readonly venue: VenueAdapter;
  private readonly fencedVenue: VenueAdapter;
  private readonly hubs = new Map<string, ChannelHub>();
  private link: NatsLink | undefined;
  private lease: ConnectionLease | undefined;
  private starting: Promise<void> | undefined;
  /** A setting that keeps coordination from starting (the bucket's TTL is not ours): never retried. */
  private startFailure: ExchangeConnectionError | undefined;
  /** Our NATS connection: while it is down a standby has no data and says 'reconnecting'. */
  private readonly natsStatus = new NatsStatusWatch(() => this.closing !== undefined, {
    disconnected: () => this.onNatsDown(),
    reconnected: () => this.onNatsUp(),
  });
  private closing: Promise<void> | undefined;
  private readonly natsSubs: NatsSubscription[] = [];
  private stateSince = Date.now();
  private readonly counters = newCoordinationCounters();

  // The owner's session, and the parts.
  private inner: ShardedConnection | undefined;
  private innerSubs: Subscription[] = [];
  private readonly fanOut: OwnerFanOut;
  private readonly standby: StandbyFeed;
  private readonly interest: ChannelInterest;
  private readonly requests: RequestRelay;
  private readonly announcements: OwnerAnnouncements;

  constructor(
    private readonly options: SupervisedConnectionOptions,
    private readonly settings: CoordinationSettings,
    private readonly connectNats: () => Promise<NatsLink>,
    private readonly logger?: ClientLogger,
  ) {
    this.name = options.name;
    this.venue = options.venue;
    this.fencedVenue = fenceVenue(options.venue, () => this.lease?.isValid() === true);
    this.subjects = connectionSubjects(settings.subjectPrefix, options.name);
    this.state$ = this.stateSubject.asObservable().pipe(distinctUntilChanged());
    this.events$ = this.eventSubject.asObservable();
    this.ownership$ = this.ownershipSubject
      .asObservable()
      .pipe(distinctUntilChanged((a, b) => a.role === b.role && a.epoch === b.epoch && a.owner === b.owner));
    const ctx: CoordinationContext = {
      name: this.name,
      settings,
      subjects: this.subjects,
      venue: this.venue,
      hubs: this.hubs,
      counters: this.counters,
      nats: () => this.link?.nc,
      isOwner: () => this.lease?.isOwner === true,
      mayAct: () => this.lease?.isValid() === true,
      isClosing: () => this.closing !== undefined,
      session: () => this.inner,
      leaseEpoch: () => this.lease?.currentEpoch,
      holder: () => this.lease?.currentHolder,
      emit: (event) => this.eventSubject.next(event),
      log: (level, message, extra) => this.log(level, message, extra),
    };
    this.fanOut = new OwnerFanOut(ctx);
    this.standby = new StandbyFeed(ctx);
    this.interest = new ChannelInterest(ctx, () => this.reconcileFeeds());
    this.requests = new RequestRelay(ctx);
    this.announcements = new OwnerAnnouncements(ctx, {
      released: (epoch) => {
        // Released: try to acquire now rather than at the next poll.
        if (this.ownership.epoch === epoch) this.lease?.noteHolder(undefined);
        this.lease?.kick();
      },
      holder: (holder) => this.lease?.noteHolder(holder),
    });
    // Checks the connection's settings now, as SupervisedConnection does (INVALID_CONFIG at startup).
    new SupervisedConnection({ ...options, venue: this.fencedVenue });
  }

  get state(): ConnectionState {
    return this.stateSubject.value;
  }

  /** Sockets this replica holds for the connection: the owner's shards, none on a standby. */
  get shardCount(): number {
    return this.inner?.shardCount ?? 0;
  }

  get ownership(): Ownership {
    return this.ownershipSubject.value;
  }

  /** Join the replicas: connect to NATS, then own the connection or stand by. Returns at once. */
  start(): void {
    if (this.starting || this.closing) return;
    this.setState('connecting');
    this.starting = this.run().catch((error: unknown) => {
      if (isExchangeConnectionError(error) && error.code === 'INVALID_CONFIG' && !this.closing) {
        // Nothing retries a setting: the connection stays down, and says why wherever it is asked.
        this.startFailure = error;
        this.log('error', `coordination cannot start: ${error.message}`);
        this.setState('circuit-open', 'invalid configuration');
        return;
      }
      this.log('warn', `coordination could not start: ${describe(error)}`);
    });
  }

  private async run(): Promise<void> {
    const link = await this.connectNats();
    if (this.closing) return;
    this.link = link;
    const { nc } = link;
    this.natsStatus.watch(nc);
    this.natsSubs.push(
      nc.subscribe(this.subjects.interest, { callback: (_e, msg) => this.interest.onMessage(msg.data) }),
      nc.subscribe(this.subjects.control, { callback: (_e, msg) => this.fanOut.onControl(msg.data) }),
      nc.subscribe(this.subjects.owner, { callback: (_e, msg) => this.announcements.onMessage(msg.data) }),
    );
    this.lease = new ConnectionLease(
      link.kv,
      leaseKey(this.name),
      this.settings.instanceId,
      this.settings,
      {
        acquired: (epoch) => this.becomeOwner(epoch),
        lost: (reason) => this.standDown(reason),
        holderSeen: (holder) => this.onHolder(holder),
      },
      this.logger,
    );
    this.interest.start();
    for (const channel of this.hubs.keys()) this.ensureSource(channel);
    this.lease.start();
    this.interest.publish();
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
      let hub = this.hubs.get(channel);
      const first = hub === undefined;
      if (hub === undefined) {
        hub = new ChannelHub(this.venue.isSequencedChannel?.(channel) === true);
        this.hubs.set(channel, hub);
      }
      const late = hub.add(subscriber as Subscriber<unknown>);
      if (first) {
        this.ensureSource(channel);
        this.interest.schedule();
      } else if (late) {
        this.askSnapshot(channel);
      }
      return () => {
        const current = this.hubs.get(channel);
        if (current === undefined) return;
        current.remove(subscriber as Subscriber<unknown>);
        if (current.size > 0) return;
        this.hubs.delete(channel);
        this.dropSource(channel);
        this.interest.schedule();
      };
    });
  }

  request<T = unknown>(method: string, params?: Record<string, unknown>, opts?: RequestOptions): Promise<T> {
    if (this.closing)
      return Promise.reject(new ExchangeConnectionError('CLOSED_BY_USER', `connection '${this.name}' is closed`, { method }));
    const lease = this.lease;
    if (lease?.isOwner) {
      // Checked at the moment of sending: past the local deadline nothing leaves this replica.
      const inner = this.inner;
      if (!lease.isValid() || inner === undefined) return Promise.reject(notOwner(this.name, method));
      return inner.request<T>(method, params, opts);
    }
    return this.requests.relay<T>(method, params, opts);
  }

  whenReady(timeoutMs?: number): Promise<void> {
    // An open circuit, here or at the owner, is an answer, not a wait (as SupervisedConnection).
    return waitForReady(
      this,
      timeoutMs,
      () => this.startFailure ?? new ExchangeConnectionError('CIRCUIT_OPEN', `connection '${this.name}' circuit is open`),
    );
  }

  /** The supervisor's sweep reaches the session only where there is one (the owner). */
  sweep(now?: number): void {
    this.inner?.sweep(now);
  }

  stats(): CoordinatedConnectionStats {
    return coordinatedStats({
      name: this.name,
      instanceId: this.settings.instanceId,
      state: this.state,
      stateSince: this.stateSince,
      session: this.inner?.stats(),
      ownership: this.ownership,
      lease: this.lease,
      counters: this.counters,
      channels: this.hubs.size,
      relaysInFlight: this.requests.inFlight,
      startFailure:
        this.startFailure === undefined
          ? undefined
          : { code: this.startFailure.code, message: this.startFailure.message, at: this.stateSince },
    });
  }

  /**
   * Graceful: as owner, close the session first (polite unsubscribe, cancel-on-disconnect as
   * configured) while the lease still holds, then delete the lease and announce it, so a standby
   * acquires at once instead of waiting out the TTL.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.interest.stop();
    const lease = this.lease;
    const wasOwner = lease?.isOwner === true;
    const epoch = lease?.currentEpoch;
    if (wasOwner) await this.inner?.close();
    await lease?.stop(true);
    this.teardownOwner();
    if (wasOwner && epoch !== undefined) {
      this.announcements.announce({ owner: this.settings.instanceId, epoch, released: true });
      await this.link?.nc.flush().catch(() => undefined);
    }
    this.standby.stop();
    this.natsStatus.stop();
    for (const sub of this.natsSubs) sub.unsubscribe();
    this.natsSubs.length = 0;
    this.requests.rejectAll(() => new ExchangeConnectionError('CLOSED_BY_USER', `connection '${this.name}' is closed`));
    for (const hub of this.hubs.values()) hub.complete();
    this.hubs.clear();
    this.setState('closed', 'closed by user');
    this.stateSubject.complete();
    this.eventSubject.complete();
    this.ownershipSubject.complete();
  }

  // ---- ownership transitions -------------------------------------------------------------------

  private becomeOwner(epoch: number): void {
    if (this.closing) return;
    // A standby mirrored the old owner's state ('ready'); this replica has no session yet. Said
    // before the ownership changes, so nobody sees an owner that is 'ready' without a session.
    this.setState('connecting', 'acquired the lease');
    this.ownershipSubject.next({ role: 'owner', epoch, owner: this.settings.instanceId });
    this.requests.ownerChanged(undefined);
    // Our own session feeds local consumers from now on; NATS subscriptions would echo ourselves.
    this.standby.stop();
    this.fanOut.resetSequences();
    const inner = new ShardedConnection({ ...this.options, venue: this.fencedVenue });
    this.inner = inner;
    this.innerSubs = [
      inner.state$.subscribe((state) => {
        // A fresh session starts 'idle'; for consumers this replica is still connecting.
        if (this.inner !== inner || state === 'idle') return;
        this.setState(state);
        this.lease?.setOwnerState(state);
        this.announcements.announce({ owner: this.settings.instanceId, epoch, state });
      }),
      inner.events$.subscribe((event) => this.eventSubject.next(event)),
    ];
    this.requests.serve(epoch);
    for (const hub of this.hubs.values()) hub.restart();
    inner.start();
    for (const channel of this.interest.wanted()) this.fanOut.ensure(channel);
  }

  private standDown(reason: 'fenced' | 'taken' | 'released'): void {
    this.log('warn', `no longer the owner (${reason})`, { reason });
    this.teardownOwner();
    if (this.closing) return;
    this.ownershipSubject.next({
      role: 'standby',
      epoch: this.lease?.currentHolder?.epoch,
      owner: this.lease?.currentHolder?.owner,
    });
    this.setState(this.standbyState(this.lease?.currentHolder));
    for (const hub of this.hubs.values()) hub.hold();
    for (const channel of this.hubs.keys()) this.ensureSource(channel);
    this.interest.publish();
  }

  /** Stop everything the owner runs. The session is closed at once; its polite requests are fenced. */
  private teardownOwner(): void {
    const inner = this.inner;
    this.inner = undefined;
    for (const sub of this.innerSubs) sub.unsubscribe();
    this.innerSubs = [];
    this.fanOut.stop();
    this.requests.stopServing();
    if (inner) void inner.close();
  }

  private onHolder(holder: LeaseHolder | undefined): void {
    if (this.closing || this.lease?.isOwner) return;
    const current = this.ownership;
    if (current.epoch !== holder?.epoch || current.owner !== holder?.owner) {
      this.requests.ownerChanged(holder?.epoch);
      if (holder !== undefined && current.epoch !== holder.epoch) this.interest.publish();
    }
    this.ownershipSubject.next({ role: 'standby', epoch: holder?.epoch, owner: holder?.owner });
    this.setState(this.standbyState(holder));
  }

  /**
   * A standby's data and requests go through NATS: while its NATS connection is down it says
   * 'reconnecting' (not the owner's 'ready'); back up, it tells the owner what it wants at once
   * and polls the lease. (The owner's own session does not depend on NATS until its deadline.)
   */
  private onNatsDown(): void {
    if (!this.lease?.isOwner) this.setState('reconnecting', 'NATS disconnected');
  }

  private onNatsUp(): void {
    if (!this.lease?.isOwner) {
      this.setState(this.standbyState(this.lease?.currentHolder), 'NATS reconnected');
      this.interest.publish();
    }
    this.lease?.kick();
  }

  private standbyState(holder: LeaseHolder | undefined): ConnectionState {
    if (!this.natsStatus.isUp) return 'reconnecting';
    if (holder === undefined) return 'reconnecting';
    const state = holder.state as ConnectionState | undefined;
    if (state === undefined || state === 'idle' || state === 'closed') return 'connecting';
    return state;
  }

  // ---- channels: from our session as owner, from NATS as standby ------------------------------

  /** A channel a local consumer wants. */
  private ensureSource(channel: string): void {
    if (this.lease?.isOwner) this.fanOut.ensure(channel);
    else this.standby.ensure(channel);
  }

  private dropSource(channel: string): void {
    if (this.lease?.isOwner) {
      if (!this.interest.wanted().has(channel)) this.fanOut.drop(channel);
      return;
    }
    this.standby.drop(channel);
  }

  /** A book consumer needs a fresh snapshot: the owner brings one by resubscribing the channel. */
  private askSnapshot(channel: string): void {
    if (this.lease?.isOwner) this.fanOut.snapshot(channel);
    else this.standby.askSnapshot(channel);
  }

  private reconcileFeeds(): void {
    if (!this.lease?.isOwner) return;
    this.fanOut.reconcile(this.interest.wanted());
  }

  // ---- plumbing --------------------------------------------------------------------------------

  private setState(next: ConnectionState, reason?: string): void {
    const from = this.stateSubject.value;
    if (from === next || from === 'closed') return;
    this.stateSince = Date.now();
    this.eventSubject.next({ type: 'state', connection: this.name, cycle: this.ownership.epoch ?? 0, from, to: next, reason });
    this.stateSubject.next(next);
  }

  private log(level: 'debug' | 'log' | 'warn' | 'error', message: string, extra?: Record<string, unknown>): void {
    const context = { ...extra, connection: this.name, instance: this.settings.instanceId, layer: 'coordination' };
    if (level === 'debug') this.logger?.debug?.(message, context);
    else this.logger?.[level](message, context);
  }
}

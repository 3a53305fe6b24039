import { BehaviorSubject, Observable, Subject, distinctUntilChanged, type Subscriber, type Subscription } from 'rxjs';
import type { KV } from '@nats-io/kv';
import {
  NoRespondersError,
  RequestError,
  TimeoutError,
  type NatsConnection,
  type Subscription as NatsSubscription,
} from '@nats-io/transport-node';
import {
  ExchangeConnectionError,
  ShardedConnection,
  SupervisedConnection,
  type ClientLogger,
  type ConnectionEvent,
  type ConnectionState,
  type ConnectionStats,
  type ExchangeConnection,
  type ExchangeConnectionErrorCode,
  type RequestOptions,
  type SupervisedConnectionOptions,
  type VenueAdapter,
} from '@exchange-connection/core';
import { ChannelHub } from './channel-hub.js';
import { ConnectionLease, type LeaseHolder } from './connection-lease.js';
import { parseEnvelope, sequenceVerdict, type ChannelTrack, type FanOutEnvelope } from './fan-out-envelope.js';
import { connectionSubjects, leaseKey, type ConnectionSubjects } from './subject-names.js';

/** This replica's part in one connection. `epoch` is the current owner's (ours when we own it). */
export interface Ownership {
  role: 'owner' | 'standby';
  epoch?: number;
  /** The owning replica's instance id, when known. */
  owner?: string;
}

/** Coordination counters and state, beside the connection's own stats. */
export interface CoordinationStats {
  instanceId: string;
  role: 'owner' | 'standby';
  epoch?: number;
  owner?: string;
  /** ms before this owner fences itself unless a renewal lands (owner only). */
  leaseRemainingMs?: number;
  renewals: number;
  renewFailures: number;
  acquisitions: number;
  /** Acquisitions that took the connection over from another replica. */
  failovers: number;
  /** Times the local deadline passed without a renewal. */
  fencings: number;
  /** Notifications published on NATS (owner). */
  published: number;
  /** Notifications received from NATS (standby). */
  received: number;
  /** Holes in a channel's NATS sequence (lost fan-out messages). */
  fanOutGaps: number;
  /** Publish → receive, last message, ms (clocks of two machines: indicative only). */
  fanOutLagMs?: number;
  /** Requests relayed to the owner / answered for standbys. */
  relayedRequests: number;
  servedRequests: number;
}

export interface CoordinatedConnectionStats extends ConnectionStats {
  coordination: CoordinationStats;
}

export interface CoordinationSettings {
  instanceId: string;
  subjectPrefix: string;
  ttlMs: number;
  renewIntervalMs: number;
  fenceMarginMs: number;
  /** Channels the owner publishes even when no replica asks (for services that never open a socket). */
  fanOutChannels: readonly string[];
  /** Added to a relayed request's own timeout for the NATS round trip, ms. */
  relayMarginMs: number;
}

export interface NatsLink {
  nc: NatsConnection;
  kv: KV;
}

interface OwnerAnnouncement {
  owner: string;
  epoch: number;
  state?: string;
  released?: boolean;
}

interface RelayRequest {
  method: string;
  params?: Record<string, unknown>;
  timeoutMs?: number;
}

type RelayReply =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: ExchangeConnectionErrorCode; message: string; venueCode?: number } };

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const SNAPSHOT_WAIT_MS = 10_000;

/**
 * One named connection shared by replicas. Exactly one replica — the holder of the lease — runs
 * the connection's sockets (auth, heartbeat, cancel-on-disconnect, subscriptions); a standby does
 * not start one. Consumers see the same `ExchangeConnection` everywhere: on the owner `channel$` is
 * fed by its session and every notification is published on NATS; on a standby it is fed from
 * NATS; `request` goes to the owner over NATS request/reply. Streams outlive every change of owner.
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
  /** False while our NATS connection is down: a standby then has no data and says 'reconnecting'. */
  private natsUp = true;
  private statusWatch: { stop(): void } | undefined;
  private closing: Promise<void> | undefined;
  private readonly natsSubs: NatsSubscription[] = [];
  private stateSince = Date.now();

  // Owner side.
  private inner: ShardedConnection | undefined;
  private innerSubs: Subscription[] = [];
  private readonly feeds = new Map<string, Subscription>();
  private readonly feedSeq = new Map<string, number>();
  private readonly snapshotAsks = new Map<string, Subscription>();
  private rpcSub: NatsSubscription | undefined;
  private readonly remoteInterest = new Map<string, { channels: Set<string>; seenAt: number }>();

  // Standby side.
  private readonly channelSubs = new Map<string, NatsSubscription>();
  private readonly tracks = new Map<string, ChannelTrack>();
  private interestScheduled = false;
  private interestTimer: NodeJS.Timeout | undefined;
  private readonly pendingRelays = new Set<{ epoch: number; reject: (error: ExchangeConnectionError) => void }>();

  private readonly counters = {
    published: 0,
    received: 0,
    fanOutGaps: 0,
    fanOutLagMs: undefined as number | undefined,
    relayedRequests: 0,
    servedRequests: 0,
    messagesReceived: 0,
  };

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
      this.log('warn', `coordination could not start: ${describe(error)}`);
    });
  }

  private async run(): Promise<void> {
    const link = await this.connectNats();
    if (this.closing) return;
    this.link = link;
    const { nc } = link;
    void this.watchNats(nc);
    this.natsSubs.push(
      nc.subscribe(this.subjects.interest, { callback: (_e, msg) => this.onInterest(msg.data) }),
      nc.subscribe(this.subjects.control, { callback: (_e, msg) => this.onControl(msg.data) }),
      nc.subscribe(this.subjects.owner, { callback: (_e, msg) => this.onAnnouncement(msg.data) }),
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
    // Standbys tell the owner what they want; the owner forgets a silent replica after 3 intervals.
    this.interestTimer = setInterval(() => {
      if (this.lease?.isOwner) this.expireInterest();
      else this.publishInterest();
    }, this.settings.renewIntervalMs);
    for (const channel of this.hubs.keys()) this.ensureSource(channel);
    this.lease.start();
    this.publishInterest();
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
        this.scheduleInterest();
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
        this.scheduleInterest();
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
    return this.relay<T>(method, params, opts);
  }

  private async relay<T>(
    method: string,
    params: Record<string, unknown> | undefined,
    opts: RequestOptions | undefined,
  ): Promise<T> {
    const holder = this.lease?.currentHolder;
    const link = this.link;
    if (link === undefined || holder === undefined) throw notOwner(this.name, method);
    const timeoutMs = opts?.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const body: RelayRequest = { method, params, timeoutMs: opts?.timeoutMs };
    this.counters.relayedRequests += 1;
    let pending: { epoch: number; reject: (error: ExchangeConnectionError) => void } | undefined;
    // The owner changing while we wait means the request may or may not have reached the venue:
    // DISCONNECTED, as for a socket that dies with a request in flight. Never re-sent.
    const ownerGone = new Promise<never>((_resolve, reject) => {
      pending = { epoch: holder.epoch, reject };
      this.pendingRelays.add(pending);
    });
    try {
      const reply = await Promise.race([
        link.nc.request(this.subjects.rpc(holder.epoch), JSON.stringify(body), {
          timeout: timeoutMs + this.settings.relayMarginMs,
        }),
        ownerGone,
      ]);
      const answer = JSON.parse(reply.string()) as RelayReply;
      if (answer.ok) return answer.result as T;
      throw new ExchangeConnectionError(answer.error.code, answer.error.message, { method, venueCode: answer.error.venueCode });
    } catch (error) {
      if (error instanceof ExchangeConnectionError) throw error;
      if (error instanceof NoRespondersError || (error instanceof RequestError && error.isNoResponders())) {
        throw notOwner(this.name, method);
      }
      if (error instanceof TimeoutError || (error instanceof RequestError && error.cause instanceof TimeoutError)) {
        throw new ExchangeConnectionError(
          'REQUEST_TIMEOUT',
          `${method}: no answer from the owner of '${this.name}' in ${timeoutMs} ms`,
          {
            method,
          },
        );
      }
      throw new ExchangeConnectionError('DISCONNECTED', `${method}: relay to the owner failed: ${describe(error)}`, {
        method,
        cause: error,
      });
    } finally {
      if (pending) this.pendingRelays.delete(pending);
      ownerGone.catch(() => undefined);
    }
  }

  whenReady(timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (error?: ExchangeConnectionError) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        queueMicrotask(() => subscription.unsubscribe());
        if (error) reject(error);
        else resolve();
      };
      const closed = () => new ExchangeConnectionError('CLOSED_BY_USER', `connection '${this.name}' is closed`);
      const subscription = this.state$.subscribe({
        next: (state) => {
          if (state === 'ready') settle();
          else if (state === 'closed') settle(closed());
          // As SupervisedConnection: an open circuit (here or at the owner) is an answer, not a wait.
          else if (state === 'circuit-open') {
            settle(new ExchangeConnectionError('CIRCUIT_OPEN', `connection '${this.name}' circuit is open`));
          }
        },
        complete: () => settle(closed()),
      });
      if (!settled && timeoutMs !== undefined) {
        timer = setTimeout(
          () =>
            settle(
              new ExchangeConnectionError(
                'READY_TIMEOUT',
                `connection '${this.name}' not ready after ${timeoutMs} ms (${this.state})`,
              ),
            ),
          timeoutMs,
        );
      }
    });
  }

  /** The supervisor's sweep reaches the session only where there is one (the owner). */
  sweep(now?: number): void {
    this.inner?.sweep(now);
  }

  stats(): CoordinatedConnectionStats {
    const lease = this.lease;
    const own = this.inner?.stats();
    const ownership = this.ownership;
    const base: ConnectionStats = own ?? {
      name: this.name,
      state: this.state,
      stateSince: this.stateSince,
      reconnects: 0,
      consecutiveFailures: 0,
      circuit: 'closed',
      subscriptions: this.hubs.size,
      sessionSubscriptions: 0,
      lastRestoredSubscriptions: 0,
      messagesReceived: this.counters.messagesReceived,
      inFlight: this.pendingRelays.size,
      malformedFrames: 0,
      malformedByReason: {},
      gaps: this.counters.fanOutGaps,
    };
    const c = lease?.counters;
    return {
      ...base,
      state: this.state,
      coordination: {
        instanceId: this.settings.instanceId,
        role: ownership.role,
        epoch: ownership.epoch,
        owner: ownership.owner,
        leaseRemainingMs: lease?.isOwner ? Math.round(lease.remainingMs()) : undefined,
        renewals: c?.renewals ?? 0,
        renewFailures: c?.renewFailures ?? 0,
        acquisitions: c?.acquisitions ?? 0,
        failovers: c?.failovers ?? 0,
        fencings: c?.fencings ?? 0,
        published: this.counters.published,
        received: this.counters.received,
        fanOutGaps: this.counters.fanOutGaps,
        fanOutLagMs: this.counters.fanOutLagMs,
        relayedRequests: this.counters.relayedRequests,
        servedRequests: this.counters.servedRequests,
      },
    };
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
    if (this.interestTimer) clearInterval(this.interestTimer);
    const lease = this.lease;
    const wasOwner = lease?.isOwner === true;
    const epoch = lease?.currentEpoch;
    if (wasOwner) await this.inner?.close();
    await lease?.stop(true);
    this.teardownOwner();
    if (wasOwner && epoch !== undefined) {
      this.announce({ owner: this.settings.instanceId, epoch, released: true });
      await this.link?.nc.flush().catch(() => undefined);
    }
    for (const sub of this.channelSubs.values()) sub.unsubscribe();
    this.channelSubs.clear();
    this.statusWatch?.stop();
    for (const sub of this.natsSubs) sub.unsubscribe();
    this.natsSubs.length = 0;
    for (const pending of this.pendingRelays)
      pending.reject(new ExchangeConnectionError('CLOSED_BY_USER', `connection '${this.name}' is closed`));
    this.pendingRelays.clear();
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
    for (const pending of this.pendingRelays) {
      pending.reject(
        new ExchangeConnectionError(
          'DISCONNECTED',
          `connection '${this.name}': the owner changed while a relayed request was in flight`,
        ),
      );
    }
    this.pendingRelays.clear();
    // Our own session feeds local consumers from now on; NATS subscriptions would echo ourselves.
    for (const sub of this.channelSubs.values()) sub.unsubscribe();
    this.channelSubs.clear();
    this.tracks.clear();
    this.feedSeq.clear();
    const inner = new ShardedConnection({ ...this.options, venue: this.fencedVenue });
    this.inner = inner;
    this.innerSubs = [
      inner.state$.subscribe((state) => {
        // A fresh session starts 'idle'; for consumers this replica is still connecting.
        if (this.inner !== inner || state === 'idle') return;
        this.setState(state);
        this.lease?.setOwnerState(state);
        this.announce({ owner: this.settings.instanceId, epoch, state });
      }),
      inner.events$.subscribe((event) => this.eventSubject.next(event)),
    ];
    const link = this.link;
    if (link) {
      this.rpcSub = link.nc.subscribe(this.subjects.rpc(epoch), {
        callback: (_e, msg) => void this.serve(msg.data, (reply) => msg.respond(reply)),
      });
    }
    for (const hub of this.hubs.values()) hub.restart();
    inner.start();
    for (const channel of this.wantedChannels()) this.ensureFeed(channel);
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
    this.publishInterest();
  }

  /** Stop everything the owner runs. The session is closed at once; its polite requests are fenced. */
  private teardownOwner(): void {
    const inner = this.inner;
    this.inner = undefined;
    for (const sub of this.innerSubs) sub.unsubscribe();
    this.innerSubs = [];
    for (const feed of this.feeds.values()) feed.unsubscribe();
    this.feeds.clear();
    for (const ask of this.snapshotAsks.values()) ask.unsubscribe();
    this.snapshotAsks.clear();
    this.rpcSub?.unsubscribe();
    this.rpcSub = undefined;
    if (inner) void inner.close();
  }

  private onHolder(holder: LeaseHolder | undefined): void {
    if (this.closing || this.lease?.isOwner) return;
    const current = this.ownership;
    if (current.epoch !== holder?.epoch || current.owner !== holder?.owner) {
      for (const pending of this.pendingRelays) {
        if (pending.epoch !== holder?.epoch) {
          pending.reject(
            new ExchangeConnectionError(
              'DISCONNECTED',
              `connection '${this.name}': the owner changed while a relayed request was in flight`,
            ),
          );
          this.pendingRelays.delete(pending);
        }
      }
      if (holder !== undefined && current.epoch !== holder.epoch) this.publishInterest();
    }
    this.ownershipSubject.next({ role: 'standby', epoch: holder?.epoch, owner: holder?.owner });
    this.setState(this.standbyState(holder));
  }

  /**
   * A standby's data and requests go through NATS: while its NATS connection is down it says
   * 'reconnecting' (not the owner's 'ready'); back up, it tells the owner what it wants at once
   * and polls the lease. (The owner's own session does not depend on NATS until its deadline.)
   */
  private async watchNats(nc: NatsConnection): Promise<void> {
    const statuses = nc.status()[Symbol.asyncIterator]();
    this.statusWatch = { stop: () => void statuses.return?.() };
    for (;;) {
      const { value: status, done } = await statuses.next();
      if (done === true || this.closing) break;
      if (status.type === 'disconnect') {
        this.natsUp = false;
        if (!this.lease?.isOwner) this.setState('reconnecting', 'NATS disconnected');
      } else if (status.type === 'reconnect') {
        this.natsUp = true;
        if (!this.lease?.isOwner) {
          this.setState(this.standbyState(this.lease?.currentHolder), 'NATS reconnected');
          this.publishInterest();
        }
        this.lease?.kick();
      }
    }
  }

  private standbyState(holder: LeaseHolder | undefined): ConnectionState {
    if (!this.natsUp) return 'reconnecting';
    if (holder === undefined) return 'reconnecting';
    const state = holder.state as ConnectionState | undefined;
    if (state === undefined || state === 'idle' || state === 'closed') return 'connecting';
    return state;
  }

  private onAnnouncement(data: Uint8Array): void {
    const a = parseJson<OwnerAnnouncement>(data);
    if (a === undefined || typeof a.owner !== 'string' || typeof a.epoch !== 'number') return;
    if (a.owner === this.settings.instanceId) return;
    if (a.released) {
      // Released: try to acquire now rather than at the next poll.
      if (this.ownership.epoch === a.epoch) this.lease?.noteHolder(undefined);
      this.lease?.kick();
      return;
    }
    this.lease?.noteHolder({ owner: a.owner, epoch: a.epoch, state: a.state });
  }

  private announce(a: OwnerAnnouncement): void {
    try {
      this.link?.nc.publish(this.subjects.owner, JSON.stringify(a));
    } catch {
      // NATS closed: the lease tells standbys the same, later.
    }
  }

  // ---- channels ------------------------------------------------------------------------------

  private wantedChannels(): Set<string> {
    const wanted = new Set<string>([...this.hubs.keys(), ...this.settings.fanOutChannels]);
    for (const { channels } of this.remoteInterest.values()) for (const c of channels) wanted.add(c);
    return wanted;
  }

  /** A channel a local consumer wants: from our session as owner, from NATS as standby. */
  private ensureSource(channel: string): void {
    if (this.lease?.isOwner) this.ensureFeed(channel);
    else this.ensureNatsSub(channel);
  }

  private dropSource(channel: string): void {
    if (this.lease?.isOwner) {
      if (!this.wantedChannels().has(channel)) this.dropFeed(channel);
      return;
    }
    this.channelSubs.get(channel)?.unsubscribe();
    this.channelSubs.delete(channel);
    this.tracks.delete(channel);
  }

  private ensureFeed(channel: string): void {
    const inner = this.inner;
    if (inner === undefined || this.feeds.has(channel)) return;
    const sequenced = this.venue.isSequencedChannel?.(channel) === true;
    const subject = this.subjects.channel(channel);
    const epoch = this.lease?.currentEpoch ?? 0;
    const feed = inner.channel$(channel).subscribe({
      next: (data) => {
        const seq = (this.feedSeq.get(channel) ?? 0) + 1;
        this.feedSeq.set(channel, seq);
        this.publish(subject, { e: epoch, s: seq, t: Date.now(), c: channel, d: data });
        const hub = this.hubs.get(channel);
        if (hub !== undefined && hub.deliver(data, sequenced && this.isSnapshot(channel, data)) > 0)
          this.counters.messagesReceived += 1;
      },
      error: (error: unknown) => {
        this.feeds.delete(channel);
        const e =
          error instanceof ExchangeConnectionError ? error : new ExchangeConnectionError('CHANNEL_REFUSED', describe(error));
        const seq = (this.feedSeq.get(channel) ?? 0) + 1;
        this.feedSeq.set(channel, seq);
        this.publish(subject, { e: epoch, s: seq, t: Date.now(), c: channel, err: { code: e.code, message: e.message } });
        this.hubs.get(channel)?.fail(e);
        this.hubs.delete(channel);
      },
    });
    this.feeds.set(channel, feed);
  }

  private dropFeed(channel: string): void {
    this.feeds.get(channel)?.unsubscribe();
    this.feeds.delete(channel);
  }

  private publish(subject: string, envelope: FanOutEnvelope): void {
    const link = this.link;
    if (link === undefined || !this.lease?.isValid()) return;
    try {
      link.nc.publish(subject, JSON.stringify(envelope));
      this.counters.published += 1;
    } catch (error) {
      this.log('debug', `fan-out publish failed: ${describe(error)}`);
    }
  }

  private isSnapshot(channel: string, data: unknown): boolean {
    const seq = this.venue.sequenceOf(channel, data);
    return seq !== undefined && seq.prev === undefined;
  }

  private ensureNatsSub(channel: string): void {
    const link = this.link;
    if (link === undefined || this.channelSubs.has(channel)) return;
    const sub = link.nc.subscribe(this.subjects.channel(channel), {
      callback: (_error, msg) => this.onFanOut(channel, msg.data),
    });
    this.channelSubs.set(channel, sub);
  }

  /** One notification from the owner, checked against the channel's (epoch, seq) before delivery. */
  private onFanOut(channel: string, bytes: Uint8Array): void {
    if (this.lease?.isOwner) return;
    const hub = this.hubs.get(channel);
    const envelope = parseEnvelope(bytes);
    if (hub === undefined || envelope === undefined || envelope.c !== channel) return;
    this.counters.received += 1;
    this.counters.fanOutLagMs = Math.max(0, Date.now() - envelope.t);
    const track = this.tracks.get(channel);
    if (envelope.err !== undefined) {
      const code = envelope.err.code as ExchangeConnectionErrorCode;
      hub.fail(new ExchangeConnectionError(code, envelope.err.message));
      this.hubs.delete(channel);
      this.dropSource(channel);
      return;
    }
    const snapshot = hub.sequenced && this.isSnapshot(channel, envelope.d);
    const verdict = sequenceVerdict(track, envelope.e, envelope.s);
    if (verdict === 'stale') return; // a duplicate, or a fenced owner's late message
    if (verdict === 'first' || track === undefined) {
      // A new owner (or our first message): its stream starts here. A book must start at a snapshot.
      this.tracks.set(channel, { epoch: envelope.e, seq: envelope.s });
      if (hub.sequenced && !snapshot) {
        hub.hold();
        this.askSnapshot(channel);
      }
    } else if (verdict === 'gap') {
      this.counters.fanOutGaps += 1;
      this.eventSubject.next({
        type: 'gap',
        connection: this.name,
        cycle: envelope.e,
        channel,
        expectedPrev: track.seq,
        gotPrev: envelope.s - 1,
      });
      this.log('warn', `fan-out gap on ${channel}: after ${track.seq} came ${envelope.s}`, { channel });
      track.seq = envelope.s;
      if (hub.sequenced && !snapshot) {
        hub.hold();
        this.askSnapshot(channel);
      }
    } else {
      track.seq = envelope.s;
    }
    if (hub.deliver(envelope.d, snapshot) > 0) this.counters.messagesReceived += 1;
  }

  /** A book consumer needs a fresh snapshot: the owner brings one by resubscribing the channel. */
  private askSnapshot(channel: string): void {
    if (this.lease?.isOwner) {
      this.snapshotLocally(channel);
      return;
    }
    try {
      this.link?.nc.publish(this.subjects.control, JSON.stringify({ op: 'snapshot', channel }));
    } catch {
      // NATS down: the next gap or owner change asks again.
    }
  }

  /**
   * The core resubscribes a book channel when an observer joins it while live (the newcomer needs a
   * snapshot): a short-lived observer on our session is that newcomer. Everyone gets the snapshot.
   */
  private snapshotLocally(channel: string): void {
    const inner = this.inner;
    if (inner === undefined || this.snapshotAsks.has(channel) || !this.feeds.has(channel)) return;
    const started = performance.now();
    const ask = inner.channel$(channel).subscribe({
      next: () => {
        this.snapshotAsks.delete(channel);
        queueMicrotask(() => ask.unsubscribe());
      },
      error: () => this.snapshotAsks.delete(channel),
    });
    this.snapshotAsks.set(channel, ask);
    setTimeout(() => {
      if (this.snapshotAsks.get(channel) === ask && performance.now() - started >= SNAPSHOT_WAIT_MS - 1) {
        this.snapshotAsks.delete(channel);
        ask.unsubscribe();
      }
    }, SNAPSHOT_WAIT_MS).unref();
  }

  private onControl(data: Uint8Array): void {
    const message = parseJson<{ op?: string; channel?: string }>(data);
    if (message?.op !== 'snapshot' || typeof message.channel !== 'string' || !this.lease?.isValid()) return;
    this.snapshotLocally(message.channel);
  }

  // ---- interest (what standbys want the owner to subscribe) ------------------------------------

  private scheduleInterest(): void {
    if (this.interestScheduled) return;
    this.interestScheduled = true;
    queueMicrotask(() => {
      this.interestScheduled = false;
      if (this.lease?.isOwner) this.reconcileFeeds();
      else this.publishInterest();
    });
  }

  private publishInterest(): void {
    const link = this.link;
    if (link === undefined || this.closing || this.lease?.isOwner) return;
    try {
      link.nc.publish(
        this.subjects.interest,
        JSON.stringify({ replica: this.settings.instanceId, channels: [...this.hubs.keys()] }),
      );
    } catch {
      // Sent again at the next interval.
    }
  }

  private onInterest(data: Uint8Array): void {
    const message = parseJson<{ replica?: string; channels?: unknown }>(data);
    if (message === undefined || typeof message.replica !== 'string' || !Array.isArray(message.channels)) return;
    if (message.replica === this.settings.instanceId) return;
    const channels = new Set(message.channels.filter((c): c is string => typeof c === 'string' && c.length > 0));
    this.remoteInterest.set(message.replica, { channels, seenAt: performance.now() });
    if (this.lease?.isOwner) this.reconcileFeeds();
  }

  private expireInterest(): void {
    const bound = performance.now() - 3 * this.settings.renewIntervalMs;
    let changed = false;
    for (const [replica, { seenAt }] of this.remoteInterest) {
      if (seenAt < bound) {
        this.remoteInterest.delete(replica);
        changed = true;
      }
    }
    if (changed) this.reconcileFeeds();
  }

  private reconcileFeeds(): void {
    if (!this.lease?.isOwner) return;
    const wanted = this.wantedChannels();
    for (const channel of wanted) this.ensureFeed(channel);
    for (const channel of [...this.feeds.keys()]) if (!wanted.has(channel)) this.dropFeed(channel);
  }

  // ---- requests from standbys ------------------------------------------------------------------

  private async serve(data: Uint8Array, respond: (reply: string) => boolean): Promise<void> {
    const request = parseJson<RelayRequest>(data);
    let reply: RelayReply;
    if (request === undefined || typeof request.method !== 'string') {
      reply = { ok: false, error: { code: 'INVALID_REQUEST', message: 'relayed request without a method' } };
    } else {
      this.counters.servedRequests += 1;
      try {
        const opts = typeof request.timeoutMs === 'number' ? { timeoutMs: request.timeoutMs } : undefined;
        // Checked at this instant: a replica that no longer owns the connection sends nothing and
        // says NOT_OWNER; it never passes the request on (the requester already saw the owner change).
        const inner = this.inner;
        if (!this.lease?.isValid() || inner === undefined) throw notOwner(this.name, request.method);
        const result = await inner.request(request.method, request.params, opts);
        reply = { ok: true, result };
      } catch (error) {
        const e = error instanceof ExchangeConnectionError ? error : new ExchangeConnectionError('CLIENT_FAULT', describe(error));
        reply = { ok: false, error: { code: e.code, message: e.message, venueCode: e.venueCode } };
      }
    }
    try {
      respond(JSON.stringify(reply));
    } catch {
      // The requester times out.
    }
  }

  // ---- plumbing --------------------------------------------------------------------------------

  private setState(next: ConnectionState, reason?: string): void {
    const from = this.stateSubject.value;
    if (from === next || from === 'closed') return;
    this.stateSince = Date.now();
    this.eventSubject.next({ type: 'state', connection: this.name, cycle: this.ownership.epoch ?? 0, from, to: next, reason });
    this.stateSubject.next(next);
  }

  private log(level: 'debug' | 'log' | 'warn', message: string, extra?: Record<string, unknown>): void {
    const context = { ...extra, connection: this.name, instance: this.settings.instanceId, layer: 'coordination' };
    if (level === 'debug') this.logger?.debug?.(message, context);
    else this.logger?.[level](message, context);
  }
}

/**
 * The venue adapter the owner's session is built with: every request the session itself sends
 * (auth, heartbeat answers, subscribes, the polite unsubscribe on close) passes `mayAct` at the
 * moment it is sent, so past the lease deadline nothing leaves this replica whatever timer or
 * socket event runs first after a pause.
 */
function fenceVenue(venue: VenueAdapter, mayAct: () => boolean): VenueAdapter {
  const createSession: VenueAdapter['createSession'] = (rpc, options, onFatal) =>
    venue.createSession(
      {
        request: (method, params, opts) =>
          mayAct()
            ? rpc.request(method, params, opts)
            : Promise.reject(
                new ExchangeConnectionError('NOT_OWNER', `${method} not sent: this replica's lease has lapsed`, { method }),
              ),
      },
      options,
      onFatal,
    );
  // A Proxy rather than a copy: every other member is the adapter's own, called on the adapter
  // (an adapter may keep #private state, which a copy or a prototype child cannot reach).
  return new Proxy(venue, {
    get(target, property) {
      if (property === 'createSession') return createSession;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function notOwner(name: string, method: string): ExchangeConnectionError {
  return new ExchangeConnectionError('NOT_OWNER', `connection '${name}' has no owner right now; ${method} not sent`, { method });
}

function parseJson<T>(data: Uint8Array): Partial<T> | undefined {
  try {
    const value = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' ? (value as Partial<T>) : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { BehaviorSubject, Observable, Subject, distinctUntilChanged } from 'rxjs';
import type { JitterStrategy, RequestOptions } from '../client/client-types.js';
import { ExchangeClient } from '../client/exchange-client.js';
import type { VenueMessage } from '../client/venue-codec.js';
import { ExchangeConnectionError } from '../client/errors.js';
import { toConnectionError } from '../client/error-classification.js';
import { fullJitter } from '../client/jitter.js';
import { calculateBackoff } from '../client/reconnection.js';
import type { VenueSession } from '../venues/venue-adapter.js';
import { timerDelay } from '../option-checks.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { withBound } from './bounded-wait.js';
import { CallerRequests } from './caller-requests.js';
import { RotationDriver, type RotationDriverHost } from './rotation-driver.js';
import type { RotationOutcome, SocketSession } from './socket-rotation.js';
import type { ConnectionEvent, ConnectionState, ConnectionStats, ExchangeConnection } from './connection-types.js';
import { waitForReady } from './ready-wait.js';
import { SessionSubscriptions } from './session-subscriptions.js';
import { SubscriptionRegistry } from './subscription-registry.js';
import { SupervisedClients, correlationId } from './supervised-clients.js';
import { supervisorSettings, type SupervisedConnectionOptions, type SupervisorSettings } from './supervisor-options.js';

export type { SupervisedClientOptions, SupervisedConnectionOptions } from './supervisor-options.js';

const LIVE_STATES: ReadonlySet<ConnectionState> = new Set(['authenticating', 'restoring', 'ready']);

/**
 * Layer 2. Owns one ExchangeClient at a time, built with `reconnectOnError: false` so that this is
 * the only layer that reconnects. On the client's death it builds a new one and restores, in
 * order, auth → heartbeat → cancel-on-disconnect → every desired subscription, once per session.
 */
export class SupervisedConnection implements ExchangeConnection {
  readonly name: string;
  private readonly registry: SubscriptionRegistry;
  private readonly breaker: CircuitBreaker;
  private readonly stateSubject = new BehaviorSubject<ConnectionState>('idle');
  private readonly eventSubject = new Subject<ConnectionEvent>();
  readonly state$: Observable<ConnectionState>;
  readonly events$: Observable<ConnectionEvent>;
  private readonly now: () => number;
  private readonly jitter: JitterStrategy;
  private readonly settings: SupervisorSettings;

  private client: ExchangeClient | undefined;
  private session: VenueSession | undefined;
  private subscriptions: SessionSubscriptions | undefined;
  private syncScheduled = false;
  private readonly clients: SupervisedClients;

  private cycle = 0;
  /** Cycle numbers handed out (a rotation's new socket takes one before it serves). */
  private issuedCycles = 0;
  private building = false;
  /** Requests callers made on each client, so a retiring socket is closed only after they settle. */
  private readonly callerRequests = new CallerRequests();
  private readonly rotations: RotationDriver;
  private rebuildTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private stateSince: number;
  private readonly counters = {
    reconnects: 0,
    messagesReceived: 0,
    malformedFrames: 0,
    malformedByReason: {} as Record<string, number>,
    gaps: 0,
    lastRestoredSubscriptions: 0,
    lastRebuildMs: undefined as number | undefined,
  };
  private lastError: ConnectionStats['lastError'];
  /** Last inbound frame of the retired clients (the live client keeps its own). */
  private retiredLastInboundAt: number | undefined;
  /** When the current client's socket opened. */
  private openedAt = 0;

  constructor(private readonly options: SupervisedConnectionOptions) {
    if (!options.name) throw new ExchangeConnectionError('INVALID_CONFIG', 'a supervised connection needs a name');
    this.name = options.name;
    this.now = options.now ?? Date.now;
    this.jitter = options.rebuild?.jitter ?? fullJitter(Math.random);
    this.settings = supervisorSettings(options);
    this.rotations = new RotationDriver(this.rotationSide(), { ...this.settings, jitter: this.jitter }, this.callerRequests);
    this.breaker = new CircuitBreaker(this.settings.circuitBreaker);
    // A client is built on every rebuild, far from startup: check its settings now, so a bad
    // url or heartbeat fails here, naming the setting, instead of inside a background rebuild.
    // (The constructor opens nothing: no socket, no timer.)
    options.venue.validateSessionOptions?.(options.session ?? {});
    this.clients = new SupervisedClients(options, {
      message: (client, message) => this.onNotification(client, message),
      fault: (client, error) => this.fail(client, error),
      malformed: (reason) => this.countMalformed(reason),
    });
    new ExchangeClient(this.clients.optionsFor(0));
    this.registry = new SubscriptionRegistry(() => this.scheduleSync(), {
      isSequenced: (channel) => this.options.venue.isSequencedChannel?.(channel) === true,
      // A late observer of a live book waits for a snapshot: resubscribing the channel brings one
      // (the other observers get it too, and a snapshot only restarts their book). Without a
      // session the next session's snapshot comes anyway.
      onLateJoin: (channel) => {
        this.subscriptions?.markForResync(channel);
        this.scheduleSync();
      },
    });
    this.state$ = this.stateSubject.asObservable().pipe(distinctUntilChanged());
    this.events$ = this.eventSubject.asObservable();
    this.stateSince = this.now();
  }

  get state(): ConnectionState {
    return this.stateSubject.value;
  }

  /** Begin connecting; returns at once (readiness is the caller's choice: `whenReady`). */
  start(): void {
    if (this.state !== 'idle') return;
    void this.build();
  }

  channel$<T = unknown>(channel: string): Observable<T> {
    if (typeof channel !== 'string' || channel.length === 0) {
      throw new ExchangeConnectionError('INVALID_CONFIG', 'channel$ needs a non-empty channel name');
    }
    return this.registry.observe<T>(channel);
  }

  request<T = unknown>(method: string, params?: Record<string, unknown>, opts?: RequestOptions): Promise<T> {
    const client = this.client;
    if (this.state !== 'ready' || client === undefined) {
      return Promise.reject(
        new ExchangeConnectionError('NOT_CONNECTED', `connection '${this.name}' is ${this.state}; ${method} not sent`, {
          method,
        }),
      );
    }
    const sent = client.request<T>(method, params, opts);
    // A rotation closes this client only after what callers sent on it has settled.
    this.callerRequests.track(client, sent);
    return sent;
  }

  /**
   * Make-before-break: a new socket is opened and fully restored (auth, heartbeat,
   * cancel-on-disconnect, every subscription once) while this one keeps serving; each channel is
   * handed over where both streams join (nothing missed or repeated), requests go to the new socket
   * from the switch on, and the old socket closes once its in-flight requests settled. Runs on its
   * own before the venue's socket lifetime and on a venue `rotate` notice; callable for a planned
   * handover. Never rejects: the outcome says how it ended (one rotation at a time; a failed one
   * leaves the old socket serving).
   */
  rotate(reason = 'requested'): Promise<RotationOutcome> {
    return this.rotations.rotate(reason);
  }

  whenReady(timeoutMs?: number): Promise<void> {
    return waitForReady(this, timeoutMs, () => this.circuitOpenError());
  }

  private circuitOpenError(): ExchangeConnectionError {
    const last = this.lastError;
    const after = last ? ` after ${last.code}: ${last.message}` : '';
    return new ExchangeConnectionError('CIRCUIT_OPEN', `connection '${this.name}' circuit is open${after}`);
  }

  stats(): ConnectionStats {
    const now = this.now();
    const client = this.client;
    const lastInboundAt = client?.lastInboundAt || this.retiredLastInboundAt;
    return {
      name: this.name,
      state: this.state,
      stateSince: this.stateSince,
      reconnects: this.counters.reconnects,
      consecutiveFailures: this.breaker.consecutiveFailures,
      circuit: this.breaker.state,
      subscriptions: this.registry.size,
      sessionSubscriptions: this.subscriptions?.size ?? 0,
      lastRestoredSubscriptions: this.counters.lastRestoredSubscriptions,
      lastRebuildMs: this.counters.lastRebuildMs,
      messagesReceived: this.counters.messagesReceived,
      lastInboundAt,
      lastInboundAgeMs: lastInboundAt === undefined ? undefined : Math.max(0, now - lastInboundAt),
      inFlight: client?.inFlight ?? 0,
      malformedFrames: this.counters.malformedFrames,
      malformedByReason: { ...this.counters.malformedByReason },
      gaps: this.counters.gaps,
      rotations: this.rotations.stats(),
      lastError: this.lastError,
    };
  }

  /**
   * Called by the supervisor's sweep. A half-open socket produces no error of its own, so silence
   * past the bound is treated as death; a client that died without telling us is rebuilt too.
   */
  sweep(now = this.now()): void {
    const client = this.client;
    if (client === undefined || this.closing) return;
    if (client.state === 'closed') {
      this.fail(client, new ExchangeConnectionError('CLIENT_FAULT', 'client closed without reporting it'));
      return;
    }
    if (!LIVE_STATES.has(this.state)) return;
    const bound = this.settings.silenceTimeoutMs;
    // lastInboundAt is 0 before the first frame: count silence from the socket's opening then.
    const last = Math.max(client.lastInboundAt, this.openedAt);
    if (now - last > bound) {
      const cause = new ExchangeConnectionError('HEARTBEAT_TIMEOUT', `no inbound frame for ${now - last} ms (bound ${bound} ms)`);
      client.kill(cause);
      this.fail(client, cause);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    this.rebuildTimer = undefined;
    this.rotations.stop();
    const client = this.client;
    const session = this.session;
    const channels = this.subscriptions?.channels() ?? [];
    const wasReady = this.state === 'ready';
    this.setState('closed', 'closed by user');
    if (client) this.retiredLastInboundAt = client.lastInboundAt || this.retiredLastInboundAt;
    this.client = undefined;
    this.session = undefined;
    this.subscriptions = undefined;
    if (client && session && wasReady) {
      // Polite part, bounded: a dead peer must not hold up shutdown.
      const bound = this.settings.closeTimeoutMs;
      const polite = async () => {
        if (channels.length > 0) await session.unsubscribe(channels).catch(() => undefined);
        await session.beforeClose?.().catch(() => undefined);
      };
      await withBound(polite(), bound);
    }
    session?.dispose();
    if (client) {
      await client.close();
      this.clients.detach(client);
    }
    await this.rotations.closeRetiring();
    this.registry.completeAll();
    this.stateSubject.complete();
    this.eventSubject.complete();
  }

  private async build(): Promise<void> {
    if (this.closing || this.building) return;
    this.building = true;
    this.rebuildTimer = undefined;
    const cycle = (this.cycle = ++this.issuedCycles);
    if (cycle > 1) this.counters.reconnects += 1;
    const started = this.now();
    const client = this.clients.create(cycle);
    this.client = client;
    this.subscriptions = undefined;
    this.setState('connecting');
    try {
      await client.connect();
      if (!this.isCurrent(client)) return;
      this.openedAt = this.now();
      this.setState('authenticating');
      const session = this.openVenueSession(client);
      this.session = session;
      await session.restore((step) => this.log('debug', `restore step ${step}`));
      if (!this.isCurrent(client)) return;
      this.setState('restoring');
      const subscriptions = new SessionSubscriptions(session, this.registry, (channel) => this.refuse(channel));
      this.subscriptions = subscriptions;
      await subscriptions.sync();
      if (!this.isCurrent(client)) return;
      const durationMs = this.now() - started;
      const restored = subscriptions.size;
      this.counters.lastRebuildMs = durationMs;
      this.counters.lastRestoredSubscriptions = restored;
      this.breaker.recordSuccess();
      this.building = false;
      this.setState('ready', cycle > 1 ? 'rebuilt' : 'connected');
      this.emit({ type: 'ready', connection: this.name, cycle, durationMs, restoredSubscriptions: restored });
      this.log('log', `ready in ${durationMs} ms, ${restored} subscriptions restored`, {
        durationMs,
        restoredSubscriptions: restored,
      });
      // Consumers may have come or gone while restoring.
      this.scheduleSync();
      this.rotations.arm(this.openedAt);
    } catch (error) {
      this.fail(client, toConnectionError(error));
    }
  }

  /** The venue's session on an open client, with what the venue prepared for its socket. */
  private openVenueSession(client: ExchangeClient): VenueSession {
    return this.options.venue.createSession(
      client,
      this.options.session ?? {},
      (error) => this.fail(client, error),
      this.clients.preparedFor(client),
    );
  }

  private isCurrent(client: ExchangeClient): boolean {
    return this.client === client && !this.closing;
  }

  private onNotification(client: ExchangeClient, message: VenueMessage): void {
    if (!this.isCurrent(client)) {
      this.rotations.fromOtherClient(client, message);
      return;
    }
    const session = this.session;
    if (session === undefined) return;
    const routed = session.route(message);
    if (routed.kind !== 'data') {
      if (routed.kind === 'rotate') void this.rotate(`venue notice: ${routed.reason}`);
      else if (routed.kind === 'unknown') this.onUnrouted();
      return;
    }
    if (this.rotations.intercept(routed.channel, routed.data)) return;
    this.deliverData(this.subscriptions, routed.channel, routed.data);
  }

  /** Returns how many frames of `reason` were counted so far. */
  private countMalformed(reason: string): number {
    this.counters.malformedFrames += 1;
    const byReason = this.counters.malformedByReason;
    const count = (byReason[reason] ?? 0) + 1;
    byReason[reason] = count;
    return count;
  }

  /**
   * A frame that parsed and passed the venue's codec, but that its session can route nowhere (no
   * channel, no notice, no answer: a Bybit frame with neither topic nor op, Binance user data with
   * no event). Junk like any malformed frame: counted as `unrouted`, logged the first time and
   * then every 100th, so a venue spewing it cannot flood the logs.
   */
  private onUnrouted(): void {
    const count = this.countMalformed('unrouted');
    if (count === 1 || count % 100 === 0) this.log('warn', 'Unusable frame ignored', { reason: 'unrouted', count });
  }

  /** One channel message through a session's sequence check to consumers. */
  private deliverData(subscriptions: SessionSubscriptions | undefined, channel: string, data: unknown): void {
    const seq = this.options.venue.sequenceOf(channel, data);
    // Only channels someone wants are tracked: a venue naming endless unknown book channels must
    // neither grow the tracker nor put its channel names in a gap log line.
    if (seq !== undefined && subscriptions !== undefined && this.registry.has(channel)) {
      const verdict = subscriptions.sequences.check(channel, seq);
      if (verdict.kind === 'skip') return;
      if (verdict.kind === 'gap') {
        this.onGap(subscriptions, channel, verdict);
        return;
      }
    }
    if (this.registry.deliver(channel, data, seq !== undefined && seq.prev === undefined)) this.counters.messagesReceived += 1;
  }

  /**
   * A break in a channel's sequence: told, logged, and the channel resubscribed. Off the per-frame
   * path (its own method) so that V8 still inlines `deliverData` and what it calls.
   */
  private onGap(subscriptions: SessionSubscriptions, channel: string, gap: { expectedPrev: number; gotPrev: number }): void {
    const { expectedPrev, gotPrev } = gap;
    this.counters.gaps += 1;
    this.emit({ type: 'gap', connection: this.name, cycle: this.cycle, channel, expectedPrev, gotPrev });
    this.log('warn', `sequence gap on ${channel}: expected prev ${expectedPrev}, got ${gotPrev}; resubscribing`, {
      channel,
      expectedPrev,
      gotPrev,
    });
    subscriptions.markForResync(channel);
    this.scheduleSync();
  }

  /**
   * A channel the venue would not subscribe (a typo, or private without credentials) would
   * otherwise deliver nothing, silently: its consumers get a CHANNEL_REFUSED error instead.
   */
  private refuse(channel: string): void {
    this.log('warn', `venue refused channel ${channel}`);
    this.emit({ type: 'channel-refused', connection: this.name, cycle: this.cycle, channel });
    this.registry.fail(
      channel,
      new ExchangeConnectionError('CHANNEL_REFUSED', `connection '${this.name}': the venue did not subscribe ${channel}`),
    );
  }

  /** Coalesce every channel change made in one tick into one sync (one batched subscribe). */
  private scheduleSync(): void {
    if (this.syncScheduled) return;
    this.syncScheduled = true;
    queueMicrotask(() => {
      this.syncScheduled = false;
      this.rotations.sync();
      const client = this.client;
      const subscriptions = this.subscriptions;
      if (this.state !== 'ready' || client === undefined || subscriptions === undefined) return;
      subscriptions.sync().catch((error: unknown) => {
        // A session that cannot take a subscription is rebuilt: the rebuild restores the full set.
        this.fail(client, toConnectionError(error));
      });
    });
  }

  /** The current client is dead or unusable: drop it and schedule the next build. Idempotent per client. */
  private fail(client: ExchangeClient, error: ExchangeConnectionError): void {
    if (!this.isCurrent(client)) {
      // A rotation's new socket failing leaves this one serving; a draining old one is closing anyway.
      this.rotations.candidateFailed(client, error);
      return;
    }
    this.client = undefined;
    this.retiredLastInboundAt = client.lastInboundAt || this.retiredLastInboundAt;
    const session = this.session;
    this.session = undefined;
    this.subscriptions = undefined;
    session?.dispose();
    void client.close().then(() => this.clients.detach(client));
    // The serving socket died: the normal rebuild wins over a rotation in progress.
    this.rotations.servingDown(`serving socket down: ${error.code}`);
    this.lastError = { code: error.code, message: error.message, at: this.now() };
    this.emit({ type: 'down', connection: this.name, cycle: this.cycle, code: error.code, message: error.message });
    this.log('warn', `down: ${error.code}: ${error.message}`, { code: error.code, closeCode: error.closeCode });

    const fatal = this.options.venue.isFatal(error);
    const failedBuild = this.building;
    this.building = false;
    // A drop after a good session is not a failed rebuild; failed builds and fatal errors count.
    if (failedBuild || fatal) this.breaker.recordFailure(this.now(), fatal);
    this.scheduleRebuild(fatal ? 'fatal: ' + error.code : error.code);
  }

  private scheduleRebuild(reason: string): void {
    if (this.closing) return;
    if (this.breaker.state === 'open') {
      this.setState('circuit-open', reason);
      this.emit({ type: 'circuit', connection: this.name, cycle: this.cycle, circuit: 'open', reason });
      this.armCooldown();
      return;
    }
    const attempt = this.breaker.consecutiveFailures;
    const { baseDelayMs, maxBackoffMs } = this.settings.rebuild;
    const exact = calculateBackoff(attempt, baseDelayMs, maxBackoffMs);
    const delayMs = Math.round(timerDelay(this.jitter(exact), exact));
    this.setState('reconnecting', reason);
    this.emit({ type: 'rebuild-scheduled', connection: this.name, cycle: this.cycle, attempt, delayMs });
    this.rebuildTimer = setTimeout(() => void this.build(), delayMs);
  }

  /**
   * Waits out the circuit's cool-down. Only the breaker decides when it is over: a timer that fires
   * early (the clock given as `now` disagreeing with timers) waits again for what is left, and
   * never builds while `tryAttempt()` refuses.
   */
  private armCooldown(): void {
    const wait = this.breaker.remainingCooldown(this.now());
    this.rebuildTimer = setTimeout(
      () => {
        this.rebuildTimer = undefined;
        if (this.closing) return;
        if (!this.breaker.tryAttempt(this.now())) {
          this.armCooldown();
          return;
        }
        this.emit({ type: 'circuit', connection: this.name, cycle: this.cycle, circuit: this.breaker.state });
        void this.build();
      },
      Math.max(1, wait),
    );
  }

  // ---- rotation ---------------------------------------------------------------------------

  /** The connection's side of its rotations (kept here: it reaches private state). */
  private rotationSide(): RotationDriverHost {
    return {
      name: this.name,
      cycle: () => this.cycle,
      state: () => this.state,
      closing: () => this.closing !== undefined,
      rotatable: () => this.state === 'ready' && !this.closing && this.client !== undefined,
      now: () => this.now(),
      serving: () => {
        const { client, session, subscriptions } = this;
        if (this.state !== 'ready' || !client || !session || !subscriptions) return undefined;
        return { client, session, subscriptions, cycle: this.cycle, openedAt: this.openedAt };
      },
      createClient: () => {
        const cycle = ++this.issuedCycles;
        return { client: this.clients.create(cycle), cycle };
      },
      openSession: (client) => {
        const session = this.openVenueSession(client);
        return { session, subscriptions: new SessionSubscriptions(session, this.registry, (channel) => this.refuse(channel)) };
      },
      keyOf: (channel, data) => this.options.venue.overlapKey?.(channel, data),
      isSequenced: (channel) => this.options.venue.isSequencedChannel?.(channel) === true,
      wanted: (channel) => this.registry.has(channel),
      deliver: (subscriptions, channel, data) => this.deliverData(subscriptions, channel, data),
      resync: (subscriptions) => (channel) => {
        subscriptions.markForResync(channel);
        this.scheduleSync();
      },
      swapIn: (next) => this.swapIn(next),
      discard: (client, session) => {
        session?.dispose();
        void client.close().then(() => this.clients.detach(client));
      },
      detach: (client) => this.clients.detach(client),
      emit: (event) => this.emit(event),
      log: (level, message, extra) => this.log(level, message, extra),
    };
  }

  /** A rotation's new session serves from now on; returns the old one, to drain and close. */
  private swapIn(next: SocketSession): SocketSession | undefined {
    const { client, session, subscriptions } = this;
    this.client = next.client;
    this.session = next.session;
    this.subscriptions = next.subscriptions;
    this.cycle = next.cycle;
    this.openedAt = next.openedAt;
    if (client) this.retiredLastInboundAt = client.lastInboundAt || this.retiredLastInboundAt;
    // Consumers may have come or gone during the overlap.
    this.scheduleSync();
    if (client && session && subscriptions) return { client, session, subscriptions, cycle: 0, openedAt: 0 };
    return undefined;
  }

  private setState(next: ConnectionState, reason?: string): void {
    const from = this.stateSubject.value;
    if (from === next || from === 'closed') return;
    this.stateSince = this.now();
    this.emit({ type: 'state', connection: this.name, cycle: this.cycle, from, to: next, reason });
    this.stateSubject.next(next);
  }

  private emit(event: ConnectionEvent): void {
    this.eventSubject.next(event);
  }

  private log(level: 'debug' | 'log' | 'warn', message: string, extra?: Record<string, unknown>): void {
    const logger = this.options.logger;
    if (!logger) return;
    const context = {
      ...extra,
      connection: this.name,
      cycle: this.cycle,
      correlationId: correlationId(this.name, this.cycle),
      layer: 'supervisor',
    };
    if (level === 'debug') logger.debug?.(message, context);
    else logger[level](message, context);
  }
}

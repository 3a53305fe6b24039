import { EventEmitter } from 'node:events';
import type WebSocket from 'ws';
import type { RawData } from 'ws';
import type { VenueRpc } from './venue-rpc.js';
import type {
  ClientLogger,
  ClientState,
  ClientStats,
  ExchangeClientEvents,
  ExchangeClientOptions,
  HeartbeatOptions,
  RequestOptions,
} from './client-types.js';
import { closeCodeError, describeError, shouldReconnect, toConnectionError } from './error-classification.js';
import { ExchangeConnectionError } from './errors.js';
import { establishConnection, resolvePolicy } from './establish-connection.js';
import { CLIENT_DEFAULTS, FRAME_LIMIT_DEFAULTS, MAX_TIMER_MS } from '../connection-defaults.js';
import { durationMs } from '../option-checks.js';
import {
  MalformedCounter,
  readFrame,
  resolveFrameLimits,
  UnusableFrame,
  type FrameLimits,
  type MalformedReason,
} from './frame-guard.js';
import { JsonRpcCodec } from './json-rpc-codec.js';
import { OutboundRateLimiter, resolveOutboundRate, type CancelQueued, type OutboundRate } from './outbound-rate-limiter.js';
import { Heartbeat, validateHeartbeat } from './heartbeat.js';
import { fullJitter } from './jitter.js';
import { RequestCorrelator, type SettleOutcome } from './request-correlator.js';
import type { VenueCodec, VenueMessage } from './venue-codec.js';
import { buildSocketOptions } from './socket-options.js';

/** Allowed moves of the client's state machine; anything else is a bug (CLIENT_FAULT). */
const TRANSITIONS: Readonly<Record<ClientState, readonly ClientState[]>> = {
  idle: ['connecting', 'closed'],
  connecting: ['open', 'closed'],
  open: ['reconnecting', 'closed'],
  reconnecting: ['open', 'closed'],
  closed: [],
};

/** One socket this client created. Its listeners act only while it is `current`. */
interface Link {
  readonly ws: WebSocket;
  /** Assigned when the socket opens (0 before). */
  cycle: number;
  /** 1-based attempt within the connect loop that created it. */
  attempt: number;
  lastError?: unknown;
  /** Set when the client itself ended the socket (heartbeat, kill, fault): the real cause. */
  killCause?: ExchangeConnectionError;
  heartbeat?: Heartbeat;
  /** Paces every frame this socket writes (the `outboundRate` option); absent without one. */
  limiter?: OutboundRateLimiter;
  /** Resolves on the socket's 'close' event. */
  readonly closed: Promise<void>;
  markClosed(): void;
}

interface Settings {
  name: string;
  reconnectOnError: boolean;
  maxRetries: number;
  baseDelayMs: number;
  maxBackoffMs: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxPayload: number;
  closeTimeoutMs: number;
  heartbeat: HeartbeatOptions | false;
  outboundRate: Required<OutboundRate> | undefined;
  /** Effective bounds: `maxBytes` never above `maxPayload` (ws enforces that one itself). */
  frameLimits: Required<FrameLimits>;
}

const defaultLogger: ClientLogger = {
  log: () => undefined,
  warn: (message, context) => console.warn(message, context ?? ''),
  error: (message, context) => console.error(message, context ?? ''),
};

/**
 * One WebSocket connection to a venue, in the venue's envelope (its `codec`; JSON-RPC 2.0 by
 * default). It creates and owns its `ws` sockets: its own
 * listeners receive every frame, pong and close. Every socket gets a cycle number when it opens;
 * events of any socket but the current one are ignored, so a late close of an old socket can
 * never disturb its successor.
 *
 * reconnectOnError true (default): a lost socket is replaced with backoff + jitter up to
 * maxRetries. false: the first loss emits `down` once, then `closed`; the client is terminal.
 */
export class ExchangeClient extends EventEmitter<ExchangeClientEvents> implements VenueRpc {
  private _state: ClientState = 'idle';
  private _cycle = 0;
  private _lastInboundAt = 0;
  private current: Link | undefined;
  /** Life was stamped in this turn (see onLife). */
  private lifeStamped = false;
  private readonly endLifeStamp = (): void => {
    this.lifeStamped = false;
  };
  private readonly sockets = new Set<Link>();
  private loop: AbortController | undefined;
  private loopAttempts = 0;
  private waiters: Array<{ resolve(): void; reject(error: ExchangeConnectionError): void }> = [];
  private terminalError: ExchangeConnectionError | undefined;
  private closing: Promise<void> | undefined;
  private readonly settings: Settings;
  private readonly logger: ClientLogger;
  private readonly now: () => number;
  private readonly rpc: RequestCorrelator;
  private readonly codec: VenueCodec;
  private readonly malformedFrames = new MalformedCounter();
  private readonly counters = {
    reconnects: 0,
    framesReceived: 0,
    notifications: 0,
    lateResponses: 0,
    heartbeatTimeouts: 0,
    listenerErrors: 0,
    /** Frames delayed by the outgoing limit on sockets already gone. */
    framesDelayed: 0,
  };

  constructor(private readonly options: ExchangeClientOptions) {
    super();
    buildSocketOptions(options.url, options.tls);
    const heartbeat = options.heartbeat === undefined ? { ...CLIENT_DEFAULTS.heartbeat } : options.heartbeat;
    if (heartbeat !== false) validateHeartbeat(heartbeat);
    const policy = resolvePolicy(options);
    this.settings = {
      name: options.name ?? 'exchange',
      reconnectOnError: options.reconnectOnError ?? true,
      maxRetries: policy.maxRetries,
      baseDelayMs: policy.baseDelayMs,
      maxBackoffMs: policy.maxBackoffMs,
      connectTimeoutMs: policy.connectTimeoutMs,
      requestTimeoutMs: durationMs('requestTimeoutMs', options.requestTimeoutMs, CLIENT_DEFAULTS.requestTimeoutMs),
      maxPayload: policy.maxPayload,
      closeTimeoutMs: durationMs('closeTimeoutMs', options.closeTimeoutMs, CLIENT_DEFAULTS.closeTimeoutMs),
      heartbeat,
      outboundRate: options.outboundRate === undefined ? undefined : resolveOutboundRate(options.outboundRate),
      frameLimits: effectiveFrameLimits(options.frameLimits, policy.maxPayload),
    };
    this.logger = options.logger ?? defaultLogger;
    this.now = options.now ?? Date.now;
    this.codec = options.codec ?? new JsonRpcCodec();
    this.rpc = new RequestCorrelator({
      send: (text) => this.send(text),
      codec: this.codec,
      onTimeout: (method, id) => this.logger.warn('Request timed out', { ...this.logContext(), method, id }),
    });
  }

  get state(): ClientState {
    return this._state;
  }

  /** Cycle of the newest socket that opened: 1 for the first, +1 per reconnect (0 before the first). */
  get cycle(): number {
    return this._cycle;
  }

  /** ms epoch (per `now`) of the last inbound frame, ping or pong; 0 before the first. */
  get lastInboundAt(): number {
    return this._lastInboundAt;
  }

  get inFlight(): number {
    return this.rpc.inFlight;
  }

  stats(): ClientStats {
    return {
      state: this._state,
      cycle: this._cycle,
      ...this.counters,
      malformedFrames: this.malformedFrames.count,
      malformedByReason: this.malformedFrames.reasons(),
      requestsSent: this.rpc.requestsSent,
      requestTimeouts: this.rpc.requestTimeouts,
      inFlight: this.rpc.inFlight,
      lastInboundAt: this._lastInboundAt,
      framesDelayed: this.counters.framesDelayed + (this.current?.limiter?.stats().delayed ?? 0),
      framesQueued: this.current?.limiter?.queued ?? 0,
    };
  }

  /**
   * Resolves when a socket is open (retrying per the policy); rejects with the typed error when the
   * client gives up or is closed. While reconnecting it waits for the next open. A closed client
   * is terminal: build a new one.
   */
  connect(): Promise<void> {
    if (this._state === 'open') return Promise.resolve();
    if (this._state === 'closed') return Promise.reject(this.terminalError ?? closedByUser('Client is closed'));
    const ready = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this._state === 'idle') {
      this.transition('connecting');
      this.startLoop(undefined);
    }
    return ready;
  }

  /** A request on the current socket, in the codec's envelope. Never replayed: a lost socket rejects it (DISCONNECTED). */
  request<T>(method: string, params?: object, opts?: RequestOptions): Promise<T> {
    // A bad timeout is the caller's bug whatever the state: say so first, the same way every time.
    const timeoutMs = opts?.timeoutMs ?? this.settings.requestTimeoutMs;
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > MAX_TIMER_MS) {
      return Promise.reject(
        new ExchangeConnectionError('INVALID_REQUEST', `${method}: timeoutMs must be > 0 and <= ${MAX_TIMER_MS}`, { method }),
      );
    }
    if (this._state !== 'open' || this.current === undefined) {
      return Promise.reject(
        new ExchangeConnectionError('NOT_CONNECTED', `Cannot send ${method}: client is ${this._state}`, { method }),
      );
    }
    return this.rpc.request<T>(method, params, timeoutMs);
  }

  /**
   * Idempotent. Stops reconnecting, rejects in-flight requests (CLOSED_BY_USER), closes the socket
   * (terminating it when the close handshake exceeds closeTimeoutMs) and releases every timer and
   * listener. Emits `closed` without an error unless the client had already ended.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * For an outside watchdog (the supervisor's sweep): terminate the socket now and treat it as a
   * failure with `cause`, following the reconnect policy. With no open socket the client ends
   * (`closed` with `cause`).
   */
  kill(cause: ExchangeConnectionError): void {
    if (this._state === 'closed') return;
    if (this.current !== undefined) {
      this.killLink(this.current, cause);
      return;
    }
    this.end(cause);
  }

  private async shutdown(): Promise<void> {
    const wasClosed = this._state === 'closed';
    const reason = closedByUser('Client closed by user');
    this.loop?.abort(reason);
    this.loop = undefined;
    const link = this.current;
    this.current = undefined;
    link?.heartbeat?.stop();
    if (link !== undefined) this.releaseLimiter(link);
    this.rpc.failAll(
      (method) => new ExchangeConnectionError('CLOSED_BY_USER', `Request ${method} cancelled: client closed`, { method }),
    );
    if (!wasClosed) {
      this.transition('closed');
      this.rejectWaiters(reason);
    }
    await Promise.all([...this.sockets].map((each) => this.release(each)));
    if (!wasClosed) this.emitSafe('closed', {});
  }

  /** Graceful close first; a `ws` close waits for the peer, so terminate after the bound. */
  private async release(link: Link): Promise<void> {
    const { ws } = link;
    if (ws.readyState === ws.OPEN) {
      ws.close(1000, 'client closing');
      if (await settlesWithin(link.closed, this.settings.closeTimeoutMs)) return;
    }
    ws.terminate();
    if (!(await settlesWithin(link.closed, this.settings.closeTimeoutMs))) {
      this.sockets.delete(link);
      ws.removeAllListeners();
      ws.on('error', ignore);
    }
  }

  private startLoop(initialCause: ExchangeConnectionError | undefined): void {
    const loop = new AbortController();
    this.loop = loop;
    this.loopAttempts = 0;
    const prepare = this.options.prepareUrl;
    // Without a preparation the loop starts at once, as it always did; with one (a token fetched
    // first, e.g. a listenKey in the URL) it runs once per loop, aborted with the loop.
    const running =
      prepare === undefined
        ? this.runLoop(loop, this.options.url, initialCause)
        : // Inside a promise: a preparation that throws at once fails the loop like one that rejects.
          Promise.resolve()
            .then(() => prepare(loop.signal))
            .then((url) => this.runLoop(loop, url, initialCause));
    running.then(
      () => {
        if (this.loop === loop) this.loop = undefined;
      },
      (error: unknown) => {
        if (this.loop === loop) this.loop = undefined;
        if (loop.signal.aborted) return;
        this.end(toConnectionError(error));
      },
    );
  }

  /** One connect loop on `url`: attempts with back-off until a socket opens or the policy gives up. */
  private runLoop(loop: AbortController, url: string, initialCause: ExchangeConnectionError | undefined): Promise<unknown> {
    return establishConnection({
      url,
      tls: this.options.tls,
      maxRetries: this.settings.maxRetries,
      baseDelayMs: this.settings.baseDelayMs,
      maxBackoffMs: this.settings.maxBackoffMs,
      jitter: this.options.jitter ?? fullJitter(),
      connectTimeoutMs: this.settings.connectTimeoutMs,
      maxPayload: this.settings.maxPayload,
      // A paced socket answers the venue's pings itself, through its limiter: ws's automatic pong
      // would bypass it, and the venue counts pongs against the same limit.
      autoPong: this.settings.outboundRate === undefined,
      signal: loop.signal,
      initialCause,
      onSocket: (ws) => this.adopt(ws, loop),
      onRetry: (info) => {
        this.logger.log('Reconnect scheduled', {
          ...this.logContext(),
          attempt: info.attempt,
          delayMs: info.delayMs,
          cause: info.cause.code,
        });
        this.emitSafe('reconnecting', info);
      },
    });
  }

  private adopt(ws: WebSocket, loop: AbortController): void {
    let markClosed = (): void => undefined;
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    const link: Link = { ws, cycle: 0, attempt: ++this.loopAttempts, closed, markClosed };
    this.sockets.add(link);
    ws.on('error', (error: Error) => {
      link.lastError ??= error;
    });
    ws.on('open', () => this.guard(link, () => this.onOpen(link, loop)));
    // The hot path: no closure allocated per frame (guard() takes one); same protection inline.
    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        this.onMessage(link, data, isBinary);
      } catch (fault) {
        this.guard(link, () => {
          throw fault;
        });
      }
    });
    ws.on('pong', () => this.guard(link, () => this.onLife(link)));
    ws.on('ping', (data: Buffer) => this.guard(link, () => this.onPing(link, data)));
    ws.on('close', (code: number, reason: Buffer) => this.guard(link, () => this.onSocketClose(link, code, reason)));
  }

  private onOpen(link: Link, loop: AbortController): void {
    if (loop.signal.aborted || this._state === 'closed') {
      link.ws.terminate();
      return;
    }
    link.cycle = ++this._cycle;
    if (link.cycle > 1) this.counters.reconnects += 1;
    this.current = link;
    if (this.settings.outboundRate !== undefined) link.limiter = new OutboundRateLimiter(this.settings.outboundRate);
    this.transition('open');
    this.onLife(link);
    if (this.settings.heartbeat !== false) {
      const ping = (): void => link.ws.ping();
      link.heartbeat = new Heartbeat(this.settings.heartbeat, {
        // A paced socket's own pings count against the venue's limit too; they go ahead of requests.
        ping: () => (link.limiter === undefined ? ping() : link.limiter.sendControl(ping)),
        onTimeout: (silentForMs) => this.onHeartbeatTimeout(link, silentForMs),
        now: this.now,
      });
      link.heartbeat.start();
    }
    this.logger.log('Socket open', { ...this.logContext(), attempt: link.attempt });
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
    this.emitSafe('open', { cycle: link.cycle, attempt: link.attempt });
  }

  private onLife(link: Link): void {
    if (link !== this.current || this.lifeStamped) return;
    // Every frame of one socket read arrives in the same turn: one clock read serves them all
    // (Date.now() costs ~66 ns on a VM, a large share of the library's per-frame work). The stamp
    // is at most that burst's processing time early, far inside any heartbeat bound.
    this.lifeStamped = true;
    queueMicrotask(this.endLifeStamp);
    const at = this.now();
    this._lastInboundAt = at;
    link.heartbeat?.touch(at);
  }

  /** Ends a socket's pacing: its queue and timer go; what it delayed stays counted. */
  private releaseLimiter(link: Link): void {
    const limiter = link.limiter;
    if (limiter === undefined) return;
    link.limiter = undefined;
    this.counters.framesDelayed += limiter.stats().delayed;
    limiter.dispose();
  }

  /** Life; and on a paced socket the pong (echoing the payload, as ws would), ahead of queued requests. */
  private onPing(link: Link, data: Buffer): void {
    this.onLife(link);
    const limiter = link.limiter;
    if (limiter === undefined || link !== this.current) return;
    limiter.sendControl(() => {
      if (link.ws.readyState === link.ws.OPEN) link.ws.pong(data);
    });
  }

  private onMessage(link: Link, data: RawData, isBinary: boolean): void {
    if (link !== this.current) return;
    this.counters.framesReceived += 1;
    this.onLife(link);
    // One parse within the frame guard's bounds; the venue's codec says what the object is, and a
    // message is handed on as the parsed object itself.
    const value = readFrame(data, isBinary, this.settings.frameLimits);
    if (value instanceof UnusableFrame) {
      this.onMalformed(value.reason);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.onMalformed('not-an-object');
      return;
    }
    const message = value as VenueMessage;
    const frame = this.codec.decode(message);
    switch (frame.kind) {
      case 'message':
        this.counters.notifications += 1;
        this.emitNotification(message, link.cycle);
        return;
      case 'response':
      case 'error':
        this.onSettled(this.rpc.settle(frame));
        return;
      case 'malformed':
        this.onMalformed(frame.reason);
        return;
    }
  }

  private onSettled(outcome: SettleOutcome): void {
    if (outcome === 'late') this.counters.lateResponses += 1;
    else if (outcome === 'unknown') this.onMalformed('unknown-id');
  }

  private onMalformed(reason: MalformedReason): void {
    const { count, log } = this.malformedFrames.record(reason);
    if (log) this.logger.warn('Unusable frame ignored', { ...this.logContext(), reason, count });
    this.emitSafe('malformed', { reason, count });
  }

  private onHeartbeatTimeout(link: Link, silentForMs: number): void {
    this.counters.heartbeatTimeouts += 1;
    this.killLink(
      link,
      new ExchangeConnectionError(
        'HEARTBEAT_TIMEOUT',
        `No inbound frame or pong for ${silentForMs} ms; socket presumed half-open`,
      ),
    );
  }

  private onSocketClose(link: Link, code: number, reason: Buffer): void {
    this.sockets.delete(link);
    link.heartbeat?.stop();
    this.releaseLimiter(link);
    link.markClosed();
    // Nothing is emitted after 'close'; drop our listeners so the socket can be collected (a
    // no-op 'error' listener stays, so a stray late error can never become an uncaught one).
    link.ws.removeAllListeners();
    link.ws.on('error', ignore);
    if (link !== this.current) return;
    this.onDown(link, link.killCause ?? closeCodeError(code, reason.toString('utf8'), link.lastError));
  }

  /** Ends the current socket at once (terminate does not wait for the peer) and reports the loss. */
  private killLink(link: Link, cause: ExchangeConnectionError): void {
    if (link !== this.current) return;
    link.killCause = cause;
    link.ws.terminate();
    this.onDown(link, cause);
  }

  private onDown(link: Link, cause: ExchangeConnectionError): void {
    this.current = undefined;
    link.heartbeat?.stop();
    this.releaseLimiter(link);
    this.rpc.failAll(
      (method) =>
        new ExchangeConnectionError('DISCONNECTED', `Request ${method} lost: socket down (${cause.code})`, { method, cause }),
    );
    const willReconnect = this.settings.reconnectOnError && shouldReconnect(cause);
    this.logger.warn('Socket down', {
      ...this.logContext(),
      cycle: link.cycle,
      cause: cause.code,
      closeCode: cause.closeCode,
      willReconnect,
    });
    if (willReconnect) {
      this.transition('reconnecting');
      this.emitSafe('down', { cause, cycle: link.cycle, willReconnect });
      // A `down` listener may have closed the client.
      if (this._state === 'reconnecting') this.startLoop(cause);
      return;
    }
    this.terminalError = cause;
    this.transition('closed');
    this.emitSafe('down', { cause, cycle: link.cycle, willReconnect });
    this.rejectWaiters(cause);
    this.emitSafe('closed', { error: cause });
  }

  /** Terminal end without an open socket (gave up, or killed while connecting). */
  private end(error: ExchangeConnectionError): void {
    if (this._state === 'closed') return;
    this.loop?.abort(error);
    this.loop = undefined;
    this.terminalError = error;
    this.transition('closed');
    this.logger.warn('Client gave up', { ...this.logContext(), cause: error.code, attempts: error.attempts });
    this.rejectWaiters(error);
    this.emitSafe('closed', { error });
  }

  /** Writes one request frame now, or queues it behind the socket's rate limit (cancellable while queued). */
  private send(text: string): CancelQueued | undefined {
    const link = this.current;
    if (link === undefined) throw new ExchangeConnectionError('NOT_CONNECTED', 'No open socket');
    if (link.limiter === undefined) {
      link.ws.send(text);
      return undefined;
    }
    return link.limiter.send(() => {
      if (link.ws.readyState === link.ws.OPEN) link.ws.send(text);
    });
  }

  private transition(to: ClientState): void {
    const from = this._state;
    if (from === to) return;
    if (!TRANSITIONS[from].includes(to)) {
      throw new ExchangeConnectionError('CLIENT_FAULT', `Illegal state transition ${from} → ${to}`);
    }
    this._state = to;
    this.emitSafe('state', to);
  }

  private rejectWaiters(error: ExchangeConnectionError): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /**
   * Runs one socket event handler. An exception here is a bug in the client's own frame path: it
   * must not reach ws (which would crash the process); the socket is declared dead instead.
   */
  private guard(link: Link, handler: () => void): void {
    try {
      handler();
    } catch (fault) {
      try {
        this.logger.error('Client fault in socket handler', { ...this.logContext(), error: describeError(fault) });
        const cause = new ExchangeConnectionError('CLIENT_FAULT', 'Unexpected exception in the client frame path', {
          cause: fault,
        });
        if (link === this.current) this.killLink(link, cause);
        else link.ws.terminate();
      } catch {
        // Last line of defence: never let a fault escape into ws.
      }
    }
  }

  /**
   * The per-frame hand-over. The `onMessage` option (a supervised connection's) is called directly
   * and is the only one: an EventEmitter emit costs an arguments array and a lookup per frame, and
   * even asking how many `notification` listeners there are cost ~300 instructions of the ~1,700
   * the whole supervised path adds to a Binance trade frame. Without it, `notification` listeners
   * get the frame; a lone one is called without the listener-array copy emitSafe makes.
   */
  private emitNotification(notification: VenueMessage, cycle: number): void {
    const sink = this.options.onMessage;
    if (sink !== undefined) {
      try {
        sink(notification, cycle);
      } catch (error) {
        this.onListenerError('onMessage', error);
      }
      return;
    }
    const listeners = this.listenerCount('notification');
    if (listeners === 0) return;
    if (listeners !== 1) {
      this.emitSafe('notification', notification, cycle);
      return;
    }
    try {
      this.emit('notification', notification, cycle);
    } catch (error) {
      this.onListenerError('notification', error);
    }
  }

  /**
   * Calls every listener from a copy, each isolated: a consumer's throwing listener is logged,
   * never fatal, and cannot starve the others.
   */
  private emitSafe<K extends keyof ExchangeClientEvents>(event: K, ...args: ExchangeClientEvents[K]): void {
    const listeners = this.rawListeners(event) as unknown as Array<(...a: ExchangeClientEvents[K]) => void>;
    for (const listener of listeners) {
      try {
        listener.apply(this, args);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
  }

  /** Rate-limited like malformed frames: a buggy consumer on a busy feed must not flood logs. */
  private onListenerError(event: string, error: unknown): void {
    const count = ++this.counters.listenerErrors;
    if (count === 1 || count % 100 === 0) {
      this.logger.error(`A "${event}" listener threw`, { ...this.logContext(), error: describeError(error), count });
    }
  }

  /** Structured fields of every line this client logs; the caller's `logContext` has the last word. */
  private logContext(): Record<string, unknown> {
    return { connection: this.settings.name, cycle: this._cycle, layer: 'client', ...this.options.logContext };
  }
}

function ignore(): void {}

function effectiveFrameLimits(limits: FrameLimits | undefined, maxPayload: number): Required<FrameLimits> {
  const resolved = resolveFrameLimits(limits, FRAME_LIMIT_DEFAULTS);
  return { maxDepth: resolved.maxDepth, maxBytes: Math.min(resolved.maxBytes, maxPayload) };
}

function closedByUser(message: string): ExchangeConnectionError {
  return new ExchangeConnectionError('CLOSED_BY_USER', message);
}

/** True when `promise` settles within `ms`; the timer is always released. */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

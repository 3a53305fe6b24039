import type { JitterStrategy } from '../client/client-types.js';
import type { ExchangeClient } from '../client/exchange-client.js';
import type { ExchangeConnectionError } from '../client/errors.js';
import { calculateBackoff } from '../client/reconnection.js';
import type { VenueMessage } from '../client/venue-codec.js';
import { timerDelay } from '../option-checks.js';
import { withBound } from './bounded-wait.js';
import type { CallerRequests } from './caller-requests.js';
import type { ConnectionEvent, ConnectionState } from './connection-types.js';
import type { ReplayFloor } from './overlap-switch.js';
import { zeroRotationStats, type RotationSettings, type RotationStats } from './rotation-plan.js';
import { SocketRotation, type RotationHost, type RotationOutcome, type SocketSession } from './socket-rotation.js';

/**
 * What the driver needs from its connection: the rotation's own needs (less `adopt`, which the
 * driver does), plus the connection's state, the swap of its serving session, and its event/log.
 */
export interface RotationDriverHost extends Omit<RotationHost, 'adopt'> {
  readonly name: string;
  cycle(): number;
  state(): ConnectionState;
  closing(): boolean;
  /** Ready, not closing, with a client: a rotation may start. */
  rotatable(): boolean;
  /** Makes `next` the serving session; returns the one it replaced (to drain), if complete. */
  swapIn(next: SocketSession): SocketSession | undefined;
  /** Drops the connection's listeners from a closed client. */
  detach(client: ExchangeClient): void;
  emit(event: ConnectionEvent): void;
  log(level: 'log' | 'warn', message: string, extra?: Record<string, unknown>): void;
}

export interface RotationDriverSettings {
  rotation: RotationSettings;
  /** The rebuild back-off, reused between retries of a failed rotation. */
  rebuild: { baseDelayMs: number; maxBackoffMs: number };
  jitter: JitterStrategy;
  /** Bound on a retiring session's `beforeClose`. */
  closeTimeoutMs: number;
}

/**
 * The connection's make-before-break rotations: when to start one (the lifetime timer, the retry
 * back-off), the one running, the routing of the old socket's data during its overlap, and the
 * retired sockets draining before their close. One rotation at a time.
 */
export class RotationDriver {
  private rotation: SocketRotation | undefined;
  /** After a failed rotation: old-socket copies of what the new socket already passed on, dropped. */
  private handback: ReplayFloor | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Failed rotations in a row, for the retry back-off. */
  private failures = 0;
  private readonly counters = zeroRotationStats();
  private readonly rotationHost: RotationHost;
  /** Old sockets of completed rotations, draining before their close. */
  private readonly retiring = new Set<SocketSession>();
  /** Resolves when the connection closes: drain waits bounded by a timer end early then. */
  private readonly closeSignal: Promise<void>;
  private signalClose: () => void = () => undefined;

  constructor(
    private readonly host: RotationDriverHost,
    private readonly settings: RotationDriverSettings,
    private readonly callerRequests: CallerRequests,
  ) {
    this.rotationHost = { ...host, adopt: (next) => this.adopt(next) };
    this.closeSignal = new Promise<void>((resolve) => (this.signalClose = resolve));
  }

  /** See `SupervisedConnection.rotate`. */
  rotate(reason: string): Promise<RotationOutcome> {
    const running = this.rotation;
    if (running !== undefined) return running.result.then((outcome) => ({ ...outcome, outcome: 'skipped' as const }));
    if (!this.host.rotatable()) {
      const skipped: RotationOutcome = {
        outcome: 'skipped',
        reason,
        durationMs: 0,
        channels: { joined: 0, keyless: 0, quiet: 0, forced: 0 },
      };
      return Promise.resolve(skipped);
    }
    this.clearTimer();
    const rotation = new SocketRotation(this.rotationHost, this.settings.rotation, reason);
    this.rotation = rotation;
    this.counters.started += 1;
    this.counters.rotating = true;
    this.host.emit({ type: 'rotation', connection: this.host.name, cycle: this.host.cycle(), phase: 'started', reason });
    this.host.log('log', `rotation started (${reason})`, { reason });
    void rotation.run();
    return rotation.result.then((outcome) => this.ended(rotation, outcome));
  }

  /** The planned rotation of the serving socket, `rotateAfterMs` after it opened. */
  arm(openedAt: number): void {
    this.clearTimer();
    const after = this.settings.rotation.rotateAfterMs;
    if (after === undefined || this.host.closing()) return;
    const delay = timerDelay(openedAt + after - this.host.now(), 0);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.rotate('socket lifetime');
    }, delay);
  }

  /** `stats().rotations`. */
  stats(): RotationStats {
    return { ...this.counters };
  }

  /** Channels changed: the candidate socket's subscriptions follow. */
  sync(): void {
    this.rotation?.sync();
  }

  /** A client that does not serve failed: the candidate's failure fails the rotation. */
  candidateFailed(client: ExchangeClient, error: ExchangeConnectionError): void {
    this.rotation?.candidateFailed(client, error);
  }

  /** The serving socket died: the normal rebuild wins over a rotation in progress. */
  servingDown(reason: string): void {
    this.clearTimer();
    this.handback = undefined;
    this.rotation?.abandon(reason);
  }

  /** The connection closes: no timer, no rotation; draining waits end now. */
  stop(): void {
    this.signalClose();
    this.clearTimer();
    this.rotation?.abandon('connection closed');
    this.rotation = undefined;
  }

  /** Old sockets of a rotation still draining: closed now, their requests fail as any in flight. */
  async closeRetiring(): Promise<void> {
    await Promise.all([...this.retiring].map((old) => this.closeRetired(old)));
  }

  /**
   * A data message of the serving socket: true when a rotation took it (dropped as a copy the new
   * socket already passed on, or handed to the overlap switch); false when it goes on as usual.
   */
  intercept(channel: string, data: unknown): boolean {
    const handback = this.handback ?? this.rotation?.handback;
    if (handback !== undefined && !this.handedBack(handback, channel, data)) return true;
    const rotation = this.rotation;
    if (rotation !== undefined && rotation.overlapping) {
      // Both sockets deliver now: the overlap switch decides which copy reaches consumers.
      if (this.host.wanted(channel)) rotation.fromOld(channel, data);
      return true;
    }
    return false;
  }

  /** A frame of a client that does not serve: a rotation's new socket, or an old one draining. */
  fromOtherClient(client: ExchangeClient, message: VenueMessage): void {
    const rotation = this.rotation;
    if (rotation !== undefined && rotation.candidateClient === client) {
      rotation.fromClient(client, message);
      return;
    }
    // A draining socket's session still answers the venue's heartbeat checks; its data is dropped.
    for (const old of this.retiring) if (old.client === client) old.session.route(message);
  }

  private handedBack(handback: ReplayFloor, channel: string, data: unknown): boolean {
    const admitted = handback.admits(channel, this.host.keyOf(channel, data));
    if (handback.empty) {
      this.handback = undefined;
      if (this.rotation?.handback === handback) this.rotation.handback = undefined;
    }
    return admitted;
  }

  /** The rotation's new session serves from now on; the old one drains and closes. */
  private adopt(next: SocketSession): void {
    this.rotation = undefined;
    this.handback = undefined;
    const old = this.host.swapIn(next);
    this.arm(next.openedAt);
    if (old) void this.retire(old);
  }

  /**
   * Closes a rotated-out socket after the requests callers sent on it settled (bounded): an order
   * in flight is answered, never dropped or resent. Then its session's `beforeClose` runs — with
   * `disableCancelOnDisconnectOnClose` it turns cancel-on-disconnect off for that socket first, so
   * orders placed on it survive; without it, closing it cancels them (the venue's rule).
   */
  private async retire(old: SocketSession): Promise<void> {
    this.retiring.add(old);
    const inFlight = this.callerRequests.settled(old.client);
    if (inFlight !== undefined) {
      await withBound(Promise.race([inFlight, this.closeSignal]), this.settings.rotation.drainTimeoutMs);
    }
    if (!this.host.closing() && old.session.beforeClose) {
      const polite = old.session.beforeClose().catch(() => undefined);
      await withBound(Promise.race([polite, this.closeSignal]), this.settings.closeTimeoutMs);
    }
    await this.closeRetired(old);
  }

  private async closeRetired(old: SocketSession): Promise<void> {
    if (!this.retiring.delete(old)) return;
    old.session.dispose();
    await old.client.close();
    this.host.detach(old.client);
  }

  private ended(rotation: SocketRotation, outcome: RotationOutcome): RotationOutcome {
    if (this.rotation === rotation) this.rotation = undefined;
    const stats = this.counters;
    stats.rotating = false;
    const { reason, durationMs, channels } = outcome;
    const base = {
      type: 'rotation' as const,
      connection: this.host.name,
      cycle: this.host.cycle(),
      reason,
      durationMs,
      channels,
    };
    if (outcome.outcome === 'completed') {
      stats.completed += 1;
      stats.forcedChannels += channels.forced;
      stats.lastRotationMs = durationMs;
      this.failures = 0;
      this.host.emit({ ...base, phase: 'completed' });
      this.host.log('log', `rotation completed in ${durationMs} ms (${reason})`, { reason, durationMs, ...channels });
    } else if (outcome.outcome === 'failed') {
      stats.failed += 1;
      if (rotation.handback !== undefined) this.handback = rotation.handback;
      this.failures += 1;
      const code = outcome.error?.code ?? 'CLIENT_FAULT';
      const message = outcome.error?.message ?? 'rotation failed';
      this.host.emit({ ...base, phase: 'failed', code, message });
      this.host.log('warn', `rotation failed (${reason}): ${code}: ${message}; the old socket keeps serving`, { reason, code });
      this.armRetry(reason);
    } else if (outcome.outcome === 'abandoned') {
      stats.abandoned += 1;
      this.host.emit({ ...base, phase: 'abandoned' });
      this.host.log('warn', `rotation abandoned (${reason})`, { reason });
    }
    return outcome;
  }

  /** A failed rotation is tried again after the rebuild back-off (the old socket serves meanwhile). */
  private armRetry(reason: string): void {
    this.clearTimer();
    if (this.host.closing() || this.host.state() !== 'ready') return;
    const { baseDelayMs, maxBackoffMs } = this.settings.rebuild;
    const exact = calculateBackoff(this.failures - 1, baseDelayMs, maxBackoffMs);
    const delay = Math.round(timerDelay(this.settings.jitter(exact), exact));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.rotate(reason.startsWith('retry: ') ? reason : `retry: ${reason}`);
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

import type { HeartbeatOptions } from './client-types.js';
import { type Clock, systemClock } from './clock.js';
import { ExchangeConnectionError } from './errors.js';
import { durationMs } from '../option-checks.js';

export interface HeartbeatDeps {
  /** Sends a protocol ping; a failure is ignored (the deadline catches a dead link anyway). */
  ping(): void;
  /** Called once when no life was seen for `timeoutMs`. */
  onTimeout(silentForMs: number): void;
  /** Read for life timestamps when no clock is given (the client's own `now`). */
  now?: () => number;
  /** Timers and time; a manual clock makes the 1.1× bound exact to test under any load. */
  clock?: Clock;
}

/**
 * Half-open watchdog for one socket. Life (any frame or pong) only stores a timestamp, so a busy
 * feed costs no timer churn; the deadline timer is armed to the exact moment the bound would be
 * crossed and, when it fires early because life came in, re-armed to the new deadline. Detection
 * lands at the bound plus timer latency, not at the next coarse poll.
 */
export class Heartbeat {
  private lastLifeAt = 0;
  private pingTimer: unknown;
  private deadlineTimer: unknown;
  private running = false;
  private readonly now: () => number;
  private readonly clock: Clock;

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly deps: HeartbeatDeps,
  ) {
    validateHeartbeat(options);
    this.clock = deps.clock ?? systemClock;
    this.now = deps.clock ? () => this.clock.now() : (deps.now ?? Date.now);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastLifeAt = this.now();
    this.armDeadline(this.options.timeoutMs);
    this.armPing();
  }

  /** Records life. Cheap on purpose: called for every inbound frame. */
  touch(at: number): void {
    this.lastLifeAt = at;
  }

  stop(): void {
    this.running = false;
    if (this.pingTimer !== undefined) this.clock.clearTimeout(this.pingTimer);
    if (this.deadlineTimer !== undefined) this.clock.clearTimeout(this.deadlineTimer);
    this.pingTimer = undefined;
    this.deadlineTimer = undefined;
  }

  private armPing(): void {
    this.pingTimer = this.clock.setTimeout(() => {
      if (!this.running) return;
      this.armPing();
      this.sendPing();
    }, this.options.intervalMs);
  }

  private sendPing(): void {
    try {
      this.deps.ping();
    } catch {
      // A socket mid-close throws on ping; the deadline decides.
    }
  }

  private armDeadline(ms: number): void {
    this.deadlineTimer = this.clock.setTimeout(() => this.checkDeadline(), Math.max(1, ms));
  }

  private checkDeadline(): void {
    if (!this.running) return;
    const silentFor = this.now() - this.lastLifeAt;
    if (silentFor >= this.options.timeoutMs) {
      this.stop();
      this.deps.onTimeout(silentFor);
      return;
    }
    this.armDeadline(this.options.timeoutMs - silentFor);
  }
}

export function validateHeartbeat(options: HeartbeatOptions): void {
  const intervalMs = durationMs('heartbeat.intervalMs', options.intervalMs ?? Number.NaN, 0);
  const timeoutMs = durationMs('heartbeat.timeoutMs', options.timeoutMs ?? Number.NaN, 0);
  // On a quiet link only the pong proves life: a deadline before the first ping always fires.
  if (timeoutMs <= intervalMs) {
    throw new ExchangeConnectionError('INVALID_CONFIG', 'heartbeat.timeoutMs: must be greater than heartbeat.intervalMs');
  }
}

/**
 * Decides whether a rebuild may be attempted. Opens after `failureThreshold` consecutive failures,
 * or at once on a fatal failure (credentials the venue rejected: retrying cannot succeed and can
 * lock the account). After `cooldownMs` it half-opens: exactly one attempt is allowed; its success
 * closes the circuit, its failure re-opens it for another cool-down.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
}

export class CircuitBreaker {
  private consecutive = 0;
  private openedAt: number | undefined;
  private current: CircuitState = 'closed';

  constructor(private readonly options: CircuitBreakerOptions) {}

  get state(): CircuitState {
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.consecutive;
  }

  /** Milliseconds until an open circuit half-opens (0 when not open). */
  remainingCooldown(now: number): number {
    if (this.current !== 'open' || this.openedAt === undefined) return 0;
    return Math.max(0, this.openedAt + this.options.cooldownMs - now);
  }

  /** Moves open → half-open once the cool-down has passed. Returns whether an attempt is allowed now. */
  tryAttempt(now: number): boolean {
    if (this.current === 'open' && this.remainingCooldown(now) === 0) this.current = 'half-open';
    return this.current !== 'open';
  }

  recordSuccess(): void {
    this.consecutive = 0;
    this.openedAt = undefined;
    this.current = 'closed';
  }

  /** Returns true when this failure opened the circuit. */
  recordFailure(now: number, fatal = false): boolean {
    this.consecutive += 1;
    if (fatal || this.current === 'half-open' || this.consecutive >= this.options.failureThreshold) {
      const wasOpen = this.current === 'open';
      this.current = 'open';
      this.openedAt = now;
      return !wasOpen;
    }
    return false;
  }
}

import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, not before', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 });
    expect(breaker.recordFailure(0)).toBe(false);
    expect(breaker.recordFailure(0)).toBe(false);
    expect(breaker.state).toBe('closed');
    expect(breaker.recordFailure(0)).toBe(true);
    expect(breaker.state).toBe('open');
    expect(breaker.tryAttempt(999)).toBe(false);
  });

  it('opens at once on a fatal failure', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 5, cooldownMs: 1000 });
    expect(breaker.recordFailure(0, true)).toBe(true);
    expect(breaker.state).toBe('open');
  });

  it('half-opens after the cool-down and allows one attempt; its failure re-opens it', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1000 });
    breaker.recordFailure(100);
    expect(breaker.remainingCooldown(600)).toBe(500);
    expect(breaker.tryAttempt(1100)).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.recordFailure(1200)).toBe(true);
    expect(breaker.state).toBe('open');
    expect(breaker.remainingCooldown(1200)).toBe(1000);
  });

  it('a success closes it and resets the count', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1000 });
    breaker.recordFailure(0);
    breaker.recordSuccess();
    expect(breaker.consecutiveFailures).toBe(0);
    expect(breaker.recordFailure(0)).toBe(false);
    expect(breaker.state).toBe('closed');
  });
});

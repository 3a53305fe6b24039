import {
  type ClientLogger,
  DeribitAdapter,
  SupervisedConnection,
  type SupervisedConnectionOptions,
  noJitter,
} from '@exchange-connection/core';
import { TestExchange, type TestExchangeOptions } from '@exchange-connection/testkit';

export const CREDENTIALS = { kind: 'client_credentials' as const, clientId: 'test-client', clientSecret: 'test-secret' };

/** A test exchange with heartbeats allowed down to 0.2 s and a quiet feed (tests publish on demand). */
export function startExchange(options: TestExchangeOptions = {}): Promise<TestExchange> {
  return TestExchange.start({ port: 0, seed: 7, feedIntervalMs: 50, minHeartbeatIntervalSec: 0.2, ...options });
}

/** Keeps every log line (level, message, context as JSON) so tests can read them and the console stays quiet. */
export function captureLogger(lines: string[] = []): ClientLogger & { lines: string[] } {
  const keep = (level: string) => (message: string, context?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${context ? JSON.stringify(context) : ''}`);
  return { lines, debug: keep('debug'), log: keep('log'), warn: keep('warn'), error: keep('error') };
}

/** A supervised connection with short, deterministic bounds for tests. */
export function supervised(url: string, overrides: Partial<SupervisedConnectionOptions> = {}): SupervisedConnection {
  return new SupervisedConnection({
    name: 'deribit',
    url,
    venue: new DeribitAdapter({}),
    session: { credentials: CREDENTIALS, heartbeatIntervalSec: 0.5, cancelOnDisconnect: { scope: 'connection' } },
    client: { heartbeat: false, requestTimeoutMs: 2_000, connectTimeoutMs: 2_000 },
    rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
    circuitBreaker: { failureThreshold: 4, cooldownMs: 60_000 },
    silenceTimeoutMs: 1_500,
    logger: captureLogger(),
    ...overrides,
  });
}

export function methodCount(exchange: TestExchange, method: string): number {
  return exchange.requestLog.filter((r) => r.method === method).length;
}

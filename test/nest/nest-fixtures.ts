import { Module, type Type } from '@nestjs/common';
import { noJitter } from '@exchange-connection/core';
import type { ExchangeConnectionConfig } from '@exchange-connection/nestjs';
import { CREDENTIALS } from '../supervisor/fixtures.js';

/** A connection to a test exchange with short, deterministic bounds (heartbeats below Deribit's 10 s floor). */
export function connectionConfig(
  name: string,
  url: string,
  overrides: Partial<ExchangeConnectionConfig> = {},
): ExchangeConnectionConfig {
  return {
    name,
    url,
    venue: 'deribit',
    // The test exchange allows heartbeats down to 0.2 s (startExchange); Deribit itself would refuse.
    deribit: { minHeartbeatIntervalSec: 0.2 },
    session: { credentials: CREDENTIALS, heartbeatIntervalSec: 0.5 },
    client: { heartbeat: false, requestTimeoutMs: 2_000, connectTimeoutMs: 2_000 },
    rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
    circuitBreaker: { failureThreshold: 3, cooldownMs: 60_000 },
    silenceTimeoutMs: 1_500,
    ...overrides,
  };
}

/**
 * A module exporting `token`: an object whose `get(key)` reads `env`, the shape of Nest's
 * ConfigService that `exchangeConnectionFromEnv(name, { inject })` reads, as an app's own config
 * module would provide it.
 */
export function envModule(token: string, env: Readonly<Record<string, string | undefined>>): Type {
  @Module({ providers: [{ provide: token, useValue: { get: (key: string) => env[key] } }], exports: [token] })
  class EnvModule {}
  return EnvModule;
}

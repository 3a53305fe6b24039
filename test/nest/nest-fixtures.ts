import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { noJitter } from '@exchange-connection/core';
import { type ExchangeConnectionConfig, ExchangeConnectionModule, exchangeConnectionFromEnv } from '@exchange-connection/nestjs';
import type { ClientLogger } from '@exchange-connection/core';
import { CREDENTIALS, captureLogger } from '../supervisor/fixtures.js';

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

const TEST_ENV = 'TEST_ENV';

/**
 * The module's connections `names` read from `env` as an app wires them: its config module
 * injected into `exchangeConnectionFromEnv` for each name, a fast sweep.
 */
export function connectionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
  logger: ClientLogger = captureLogger(),
): DynamicModule {
  return ExchangeConnectionModule.forRootAsync({
    imports: [envModule(TEST_ENV, env)],
    useFactory: () => ({ sweepIntervalMs: 100, logger }),
    connections: names.map((name) => exchangeConnectionFromEnv(name, { inject: TEST_ENV })),
  });
}

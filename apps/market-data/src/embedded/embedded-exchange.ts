import { randomBytes } from 'node:crypto';
import { type VenueCredentials } from '@exchange-connection/core';
import { type ExchangeConnectionModuleOptions } from '@exchange-connection/nestjs';
import { TestExchange, type TestExchangeOptions } from '@exchange-connection/testkit';

export interface EmbeddedExchange {
  exchange: TestExchange;
  /** Credentials of the one account the embedded exchange accepts; random per process. */
  credentials: VenueCredentials;
}

/** Test-exchange heartbeats go far below Deribit's 10 s floor, so faults are found in about a second. */
export const EMBEDDED_MIN_HEARTBEAT_SEC = 0.2;

/** Starts a seeded test exchange (with a live feed) on a loopback port for the app to use. */
export async function startEmbeddedExchange(
  options: Pick<TestExchangeOptions, 'seed' | 'feedIntervalMs' | 'port' | 'rateLimit' | 'instruments'> = {},
): Promise<EmbeddedExchange> {
  const credentials: VenueCredentials = {
    kind: 'client_credentials',
    clientId: 'market-data-embedded',
    // Random each run: no secret lives in the source, even a test one.
    clientSecret: randomBytes(18).toString('base64url'),
  };
  const exchange = await TestExchange.start({
    port: options.port ?? 0,
    seed: options.seed ?? 42,
    feedIntervalMs: options.feedIntervalMs ?? 100,
    minHeartbeatIntervalSec: EMBEDDED_MIN_HEARTBEAT_SEC,
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    ...(options.instruments === undefined ? {} : { instruments: options.instruments }),
    accounts: [{ clientId: credentials.clientId, clientSecret: credentials.clientSecret }],
  });
  return { exchange, credentials };
}

export interface EmbeddedBounds {
  /** No inbound frame for this long → the sweep rebuilds the session (default 1500). */
  silenceTimeoutMs?: number;
  sweepIntervalMs?: number;
  heartbeatIntervalSec?: number;
}

/**
 * The connection config for a test exchange, built in code: the env helper rightly enforces
 * Deribit's 10 s heartbeat floor, which would make local fault detection slow.
 */
export function embeddedConnectionOptions(
  url: string,
  credentials: VenueCredentials,
  bounds: EmbeddedBounds = {},
): ExchangeConnectionModuleOptions {
  const silenceTimeoutMs = bounds.silenceTimeoutMs ?? 1_500;
  return {
    sweepIntervalMs: bounds.sweepIntervalMs ?? 250,
    connections: [
      {
        name: 'deribit',
        venue: 'deribit',
        url,
        deribit: { minHeartbeatIntervalSec: EMBEDDED_MIN_HEARTBEAT_SEC },
        session: { credentials, heartbeatIntervalSec: bounds.heartbeatIntervalSec ?? 0.5, cancelOnDisconnect: false },
        client: {
          connectTimeoutMs: 2_000,
          requestTimeoutMs: 2_000,
          heartbeat: { intervalMs: Math.max(100, Math.floor(silenceTimeoutMs / 3)), timeoutMs: silenceTimeoutMs },
        },
        rebuild: { baseDelayMs: 100, maxBackoffMs: 2_000 },
        circuitBreaker: { failureThreshold: 10, cooldownMs: 5_000 },
        silenceTimeoutMs,
      },
    ],
  };
}

import { randomBytes } from 'node:crypto';
import { type VenueCredentials } from '@exchange-connection/core';
import { type ExchangeConnectionConfig, type ExchangeConnectionModuleOptions } from '@exchange-connection/nestjs';
import {
  BinanceTestExchange,
  BybitTestExchange,
  type BybitPublicMarket,
  TestExchange,
  type TestExchangeOptions,
} from '@exchange-connection/testkit';

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
  return {
    sweepIntervalMs: bounds.sweepIntervalMs ?? EMBEDDED_SWEEP_INTERVAL_MS,
    connections: [embeddedDeribitConnection('deribit', url, credentials, bounds)],
  };
}

/** Sweep interval of an app with an embedded exchange: faults are found within about a second. */
export const EMBEDDED_SWEEP_INTERVAL_MS = 250;

/** One Deribit connection, named `name`, to an embedded Deribit test exchange. */
export function embeddedDeribitConnection(
  name: string,
  url: string,
  credentials: VenueCredentials,
  bounds: EmbeddedBounds = {},
): ExchangeConnectionConfig {
  const silenceTimeoutMs = bounds.silenceTimeoutMs ?? 1_500;
  return {
    name,
    venue: 'deribit',
    url,
    deribit: { minHeartbeatIntervalSec: EMBEDDED_MIN_HEARTBEAT_SEC },
    session: { credentials, heartbeatIntervalSec: bounds.heartbeatIntervalSec ?? 0.5, cancelOnDisconnect: false },
    ...embeddedBounds(silenceTimeoutMs),
  };
}

export interface EmbeddedBybitExchange {
  exchange: BybitTestExchange;
  /** The public market the app's connection uses (its URL ends in /v5/public/<market>). */
  market: BybitPublicMarket;
}

/** Starts a seeded Bybit test exchange (live public feeds) on a loopback port. */
export async function startEmbeddedBybitExchange(
  options: { seed?: number; feedIntervalMs?: number; port?: number; market?: BybitPublicMarket } = {},
): Promise<EmbeddedBybitExchange> {
  const exchange = await BybitTestExchange.start({
    port: options.port ?? 0,
    seed: options.seed ?? 42,
    feedIntervalMs: options.feedIntervalMs ?? 100,
  });
  return { exchange, market: options.market ?? 'linear' };
}

/** One Bybit public connection, named `name`, to an embedded Bybit test exchange. */
export function embeddedBybitConnection(
  name: string,
  embedded: EmbeddedBybitExchange,
  bounds: EmbeddedBounds = {},
): ExchangeConnectionConfig {
  const silenceTimeoutMs = bounds.silenceTimeoutMs ?? 1_500;
  return {
    name,
    venue: 'bybit',
    url: embedded.exchange.url(embedded.market),
    bybit: { market: embedded.market },
    // {"op":"ping"} every half second: the silence bound then finds a dead link as fast as Deribit's heartbeat.
    session: { heartbeatIntervalSec: bounds.heartbeatIntervalSec ?? 0.5 },
    ...embeddedBounds(silenceTimeoutMs),
  };
}

/** Starts a seeded Binance test exchange (spot market streams, REST depth) on a loopback port. */
export async function startEmbeddedBinanceExchange(
  options: { seed?: number; feedIntervalMs?: number; port?: number; connectionLifetimeMs?: number } = {},
): Promise<BinanceTestExchange> {
  return BinanceTestExchange.start({
    port: options.port ?? 0,
    seed: options.seed ?? 42,
    feedIntervalMs: options.feedIntervalMs ?? 100,
    // Unset: the venue's 24 h.
    connectionLifetimeMs: options.connectionLifetimeMs,
  });
}

/**
 * One Binance spot connection, named `name`, to an embedded Binance test exchange: its REST base
 * serves the book snapshots. Binance pings the client; the silence bound still finds a dead link.
 */
export function embeddedBinanceConnection(
  name: string,
  exchange: BinanceTestExchange,
  bounds: EmbeddedBounds = {},
): ExchangeConnectionConfig {
  return {
    name,
    venue: 'binance',
    url: exchange.urls.spotCombined,
    binance: { market: 'spot', restUrl: exchange.urls.rest },
    ...embeddedBounds(bounds.silenceTimeoutMs ?? 1_500),
  };
}

function embeddedBounds(
  silenceTimeoutMs: number,
): Pick<ExchangeConnectionConfig, 'client' | 'rebuild' | 'circuitBreaker' | 'silenceTimeoutMs'> {
  return {
    client: {
      connectTimeoutMs: 2_000,
      requestTimeoutMs: 2_000,
      heartbeat: { intervalMs: Math.max(100, Math.floor(silenceTimeoutMs / 3)), timeoutMs: silenceTimeoutMs },
    },
    rebuild: { baseDelayMs: 100, maxBackoffMs: 2_000 },
    circuitBreaker: { failureThreshold: 10, cooldownMs: 5_000 },
    silenceTimeoutMs,
  };
}

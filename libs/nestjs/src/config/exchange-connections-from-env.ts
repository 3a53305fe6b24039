import { readFileSync } from 'node:fs';
import { ExchangeConnectionError } from '@exchange-connection/core';
import type { VenueCredentials } from '@exchange-connection/core';
import type { ExchangeConnectionConfig, ExchangeConnectionModuleOptions } from '../module/exchange-connection-options.js';
import { type EnvSource, EnvReader } from './env-reader.js';

/** Deribit refuses heartbeat intervals below 10 s. */
const DERIBIT_MIN_HEARTBEAT_SEC = 10;

/** `deribit-main` → `DERIBIT_MAIN_`: the prefix of that connection's variables. */
export function envPrefixFor(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/**
 * Reads and validates every connection from the environment (see `.env.example` for each variable
 * and its default). A bad or missing value throws INVALID_CONFIG naming the variable, so the app
 * fails at startup; secrets are checked for presence only and never echoed.
 */
export function exchangeConnectionsFromEnv(source: EnvSource): ExchangeConnectionModuleOptions {
  const env = new EnvReader(source);
  const names = (env.string('EXCHANGE_CONNECTIONS', 'deribit') ?? 'deribit')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  if (names.length === 0) throw new ExchangeConnectionError('INVALID_CONFIG', 'EXCHANGE_CONNECTIONS names no connection');
  for (const name of names) {
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/i.test(name)) {
      throw new ExchangeConnectionError('INVALID_CONFIG', `EXCHANGE_CONNECTIONS has an invalid name ${JSON.stringify(name)}`);
    }
  }
  if (new Set(names.map(envPrefixFor)).size !== names.length) {
    throw new ExchangeConnectionError('INVALID_CONFIG', 'EXCHANGE_CONNECTIONS has names that map to the same variable prefix');
  }
  return {
    sweepIntervalMs: env.int('EXCHANGE_SWEEP_INTERVAL_MS', 1_000, { min: 50, max: 60_000 }),
    connections: names.map((name) => connectionFromEnv(env, name)),
  };
}

function connectionFromEnv(env: EnvReader, name: string): ExchangeConnectionConfig {
  const p = envPrefixFor(name);
  const url = env.required(`${p}URL`, 'is required (ws:// or wss:// endpoint, e.g. wss://test.deribit.com/ws/api/v2)');
  if (!/^wss?:\/\/.+/i.test(url)) throw new ExchangeConnectionError('INVALID_CONFIG', `${p}URL must start with ws:// or wss://`);

  const heartbeatIntervalSec = env.int(`${p}HEARTBEAT_INTERVAL_SEC`, DERIBIT_MIN_HEARTBEAT_SEC, {
    min: DERIBIT_MIN_HEARTBEAT_SEC,
    max: 3_600,
  });
  const silenceTimeoutMs = env.int(`${p}SILENCE_TIMEOUT_MS`, Math.round(heartbeatIntervalSec * 2_500), { min: 1_000 });
  const cancelOnDisconnect = env.bool(`${p}CANCEL_ON_DISCONNECT`, false);
  const scope = env.oneOf(`${p}CANCEL_ON_DISCONNECT_SCOPE`, ['connection', 'account'] as const, 'connection');
  const caFile = env.string(`${p}CA_FILE`);

  return {
    name,
    venue: 'deribit',
    url,
    deribit: { maxChannelsPerCall: env.int(`${p}MAX_CHANNELS_PER_CALL`, 200, { min: 1, max: 10_000 }) },
    session: {
      credentials: credentialsFromEnv(env, p),
      heartbeatIntervalSec,
      cancelOnDisconnect: cancelOnDisconnect ? { scope } : false,
      // Default false: a deliberate shutdown then cancels this connection's orders, the safe side.
      disableCancelOnDisconnectOnClose: env.bool(`${p}CANCEL_ON_DISCONNECT_DISABLE_ON_CLOSE`, false),
    },
    client: {
      connectTimeoutMs: env.int(`${p}CONNECT_TIMEOUT_MS`, 10_000, { min: 100 }),
      requestTimeoutMs: env.int(`${p}REQUEST_TIMEOUT_MS`, 10_000, { min: 100 }),
      // Protocol pings keep NAT/CDN paths warm; the watchdog bound matches the sweep's.
      heartbeat: { intervalMs: Math.max(250, Math.floor(silenceTimeoutMs / 3)), timeoutMs: silenceTimeoutMs },
      tls: caFile ? { ca: readCa(caFile, `${p}CA_FILE`) } : undefined,
    },
    rebuild: {
      baseDelayMs: env.int(`${p}RECONNECT_BASE_DELAY_MS`, 500, { min: 0 }),
      maxBackoffMs: env.int(`${p}RECONNECT_MAX_DELAY_MS`, 30_000, { min: 0 }),
    },
    circuitBreaker: {
      failureThreshold: env.int(`${p}CIRCUIT_FAILURE_THRESHOLD`, 5, { min: 1 }),
      cooldownMs: env.int(`${p}CIRCUIT_COOLDOWN_MS`, 60_000, { min: 0 }),
    },
    silenceTimeoutMs,
  };
}

function credentialsFromEnv(env: EnvReader, p: string): VenueCredentials | undefined {
  const clientId = env.string(`${p}CLIENT_ID`);
  const clientSecret = env.secret(`${p}CLIENT_SECRET`);
  if (clientId === undefined && clientSecret === undefined) return undefined;
  if (clientId === undefined)
    throw new ExchangeConnectionError('INVALID_CONFIG', `${p}CLIENT_ID is required when ${p}CLIENT_SECRET is set`);
  if (clientSecret === undefined)
    throw new ExchangeConnectionError('INVALID_CONFIG', `${p}CLIENT_SECRET is required when ${p}CLIENT_ID is set`);
  const kind = env.oneOf(`${p}AUTH_METHOD`, ['client_credentials', 'client_signature'] as const, 'client_credentials');
  return { kind, clientId, clientSecret };
}

function readCa(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new ExchangeConnectionError('INVALID_CONFIG', `${key} cannot be read (${path})`);
  }
}

import { ExchangeConnectionError, MAX_TIMER_MS } from '@exchange-connection/core';
import type { ExchangeConnectionConfig } from '../module/exchange-connection-options.js';
import { exchangeConnectionsFromEnv } from './exchange-connections-from-env.js';
import { validateConnectionConfig, validateModuleOptions } from './validate-config.js';

const SECRET = 'Sup3r-S3cret-Value_42-long-enough';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';

const good = (overrides: Record<string, unknown> = {}): ExchangeConnectionConfig =>
  ({
    name: 'alpha',
    venue: 'deribit',
    url: 'wss://test.deribit.com/ws/api/v2',
    session: { credentials: { kind: 'client_credentials', clientId: 'id', clientSecret: SECRET }, heartbeatIntervalSec: 10 },
    ...overrides,
  }) as ExchangeConnectionConfig;

function messageOf(run: () => void): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ExchangeConnectionError && error.code === 'INVALID_CONFIG') return error.message;
    throw error;
  }
  throw new Error('expected INVALID_CONFIG');
}

const moduleError = (options: unknown) => messageOf(() => validateModuleOptions(options));
const connectionError = (overrides: Record<string, unknown>) => moduleError({ connections: [good(overrides)] });

describe('config validation in code (forRoot, forRootAsync, add)', () => {
  it('accepts a complete config and leaves it as it is (functions, adapters and Buffers pass through)', () => {
    const config = good({
      client: { heartbeat: { intervalMs: 5_000, timeoutMs: 15_000 }, tls: { ca: Buffer.from(PEM) }, jitter: (d: number) => d },
      rebuild: { baseDelayMs: 0, maxBackoffMs: 0 },
      session: { cancelOnDisconnect: { scope: 'account' } },
    });
    expect(() => validateModuleOptions({ connections: [config], sweepIntervalMs: 50, logEvents: false })).not.toThrow();
    expect(() => validateModuleOptions({ connections: [] })).not.toThrow();
  });

  it('accepts a Bybit connection beside a Deribit one, each with its own settings block', () => {
    const bybit = good({
      name: 'bybit',
      venue: 'bybit',
      url: 'wss://stream.bybit.com/v5/private',
      bybit: { market: 'private', maxActiveTimeSec: 60 },
      session: { credentials: { kind: 'client_credentials', clientId: 'key', clientSecret: SECRET }, heartbeatIntervalSec: 5 },
    });
    expect(() => validateModuleOptions({ connections: [good(), bybit] })).not.toThrow();
  });

  it.each([
    [{ silenceTimeoutMs: -1 }, 'connections[0].silenceTimeoutMs must be >= 500 (got -1)'],
    [{ silenceTimeoutMs: 1.5 }, 'connections[0].silenceTimeoutMs must be an integer (got 1.5)'],
    [{ silenceTimeoutMs: '25000' }, 'connections[0].silenceTimeoutMs must be a number (got "25000")'],
    [
      { circuitBreaker: { cooldownMs: 9_999_999_999 } },
      'connections[0].circuitBreaker.cooldownMs must be <= 86400000 (got 9999999999)',
    ],
    [
      { client: { requestTimeoutMs: MAX_TIMER_MS + 1 } },
      `connections[0].client.requestTimeoutMs must be <= 300000 (got ${MAX_TIMER_MS + 1})`,
    ],
    [{ url: 'ws://' }, 'connections[0].url is not a valid URL'],
    [{ url: 'http://example.com' }, 'connections[0].url must start with ws:// or wss:// (got http://)'],
    [{ url: undefined }, 'connections[0].url is required'],
    [{ name: 'a b' }, 'connections[0].name must match'],
    [{ venue: 'okx' }, "connections[0].venue must be 'deribit', 'bybit', 'binance' or a VenueAdapter"],
    [{ venue: 'binance' }, "connections[0].binance is required for venue 'binance'"],
    [
      { venue: 'binance', binance: { market: 'spot', restUrl: 'ftp://x' } },
      'connections[0].binance.restUrl must be an http:// or https:// URL',
    ],
    [
      { venue: 'binance', binance: { market: 'user-data' }, session: {} },
      "connections[0].session.credentials.clientId is required for Binance market 'user-data'",
    ],
    [
      { venue: 'binance', binance: { market: 'spot', requestPause: 'global' } },
      'connections[0].binance.requestPause must be one of shared, private (got "global")',
    ],
    [
      // A look-alike object is not the core's pause: the adapter would refuse it later, unnamed.
      { venue: 'binance', binance: { market: 'spot', requestPause: { remainingMs: 0 } } },
      "connections[0].binance.requestPause must be 'shared', 'private' or a RequestedPause",
    ],
    [{ venue: 'bybit' }, "connections[0].bybit is required for venue 'bybit'"],
    [{ venue: 'bybit', bybit: {} }, 'connections[0].bybit.market is required'],
    [{ venue: 'bybit', bybit: { market: 'inverse' } }, 'connections[0].bybit.market must be one of spot, linear, private'],
    [{ venue: 'bybit', bybit: { market: 'spot', maxShards: 0 } }, 'connections[0].bybit.maxShards must be >= 1 (got 0)'],
    [
      { venue: 'bybit', bybit: { market: 'private' }, session: {} },
      "connections[0].session.credentials.clientId is required for Bybit market 'private'",
    ],
    [{ bybit: { market: 'spot' } }, "connections[0].bybit is for venue 'bybit', but venue is 'deribit'"],
    [
      { session: { heartbeatIntervalSec: 5 } },
      'connections[0].session.heartbeatIntervalSec must be >= 10 (got 5; Deribit refuses less); for a test exchange that allows less, set connections[0].deribit.minHeartbeatIntervalSec',
    ],
    [
      { session: { credentials: { kind: 'client_credentials', clientSecret: SECRET } } },
      'connections[0].session.credentials.clientId is required when connections[0].session.credentials.clientSecret is set',
    ],
    [
      { session: { credentials: { kind: 'client_credentials', clientId: 'id' } } },
      'connections[0].session.credentials.clientSecret is required when connections[0].session.credentials.clientId is set',
    ],
    [
      { session: { cancelOnDisconnect: 'yes' } },
      "connections[0].session.cancelOnDisconnect must be true, false or { scope: 'connection' | 'account' }",
    ],
    [
      { session: { cancelOnDisconnect: { scope: 'all' } } },
      'connections[0].session.cancelOnDisconnect.scope must be one of connection, account (got "all")',
    ],
    [{ client: { tls: { ca: 'not a certificate' } } }, 'connections[0].client.tls.ca must be a PEM certificate'],
    [{ client: { tls: { ca: [PEM, Buffer.from('DER?')] } } }, 'connections[0].client.tls.ca[1] must be a PEM certificate'],
    [
      { client: { heartbeat: { intervalMs: 10_000, timeoutMs: 5_000 } } },
      'connections[0].client.heartbeat.timeoutMs must be greater than connections[0].client.heartbeat.intervalMs (got 5000 <= 10000)',
    ],
    [
      { rebuild: { baseDelayMs: 5_000, maxBackoffMs: 1_000 } },
      'connections[0].rebuild.maxBackoffMs must be >= connections[0].rebuild.baseDelayMs (got 1000 < 5000)',
    ],
    [
      { client: { heartbeat: false }, silenceTimeoutMs: 5_000 },
      'connections[0].silenceTimeoutMs must be longer than the venue heartbeat, connections[0].session.heartbeatIntervalSec × 1000, when the client heartbeat is off (got 5000)',
    ],
  ])('names the field: %j', (overrides, expected) => {
    expect(connectionError(overrides)).toContain(expected);
  });

  it('checks the rotation settings against the venue, naming the field', () => {
    const binance = {
      name: 'binance',
      venue: 'binance',
      url: 'wss://stream.binance.com:9443/stream',
      binance: { market: 'spot', maxSocketLifetimeMs: 60_000 },
      session: undefined,
    };
    expect(() =>
      validateModuleOptions({ connections: [good({ ...binance, rotation: { leadMs: 5_000, overlapTimeoutMs: 2_000 } })] }),
    ).not.toThrow();
    expect(() => validateModuleOptions({ connections: [good({ rotation: { rotateAfterMs: false } })] })).not.toThrow();
    expect(connectionError({ ...binance, rotation: { leadMs: 60_000 } })).toBe(
      "connections[0].rotation.leadMs must be below the venue's socket lifetime, 60000 ms (got 60000); the lifetime is connections[0].binance.maxSocketLifetimeMs",
    );
    expect(connectionError({ rotation: { leadMs: 1_000 } })).toBe(
      "connections[0].rotation.leadMs needs a venue whose sockets have a lifetime (Binance); venue 'deribit' sets none; a planned rotation there is connections[0].rotation.rotateAfterMs",
    );
    expect(connectionError({ rotation: { rotateAfterMs: true } })).toBe(
      "connections[0].rotation.rotateAfterMs must be false (no planned rotation) or a number of ms (unset: the venue's lifetime minus a margin)",
    );
    expect(connectionError({ rotation: { rotateAfterMs: '5000' } })).toBe(
      'connections[0].rotation.rotateAfterMs must be false or a number of ms',
    );
    expect(connectionError({ rotation: { rotateAfterMs: 100 } })).toBe(
      'connections[0].rotation.rotateAfterMs must be >= 500 (got 100)',
    );
    expect(connectionError({ rotation: { overlapTimeoutMs: 2 ** 31 } })).toBe(
      'connections[0].rotation.overlapTimeoutMs must be <= 300000 (got 2147483648)',
    );
  });

  it('checks module-wide settings and repeated names', () => {
    expect(moduleError({ connections: [], sweepIntervalMs: 0 })).toBe('sweepIntervalMs must be >= 50 (got 0)');
    expect(moduleError({ connections: [], logger: { log: () => undefined } })).toContain('logger must be a ClientLogger');
    expect(moduleError({ connections: [good(), good()] })).toBe('connections[1].name repeats connections[0].name');
    expect(moduleError({ connections: 'alpha' })).toBe('connections must be an array (got "alpha")');
  });

  it('lets a test exchange lower the Deribit heartbeat floor, within its own bounds', () => {
    expect(() =>
      validateModuleOptions({
        connections: [good({ session: { heartbeatIntervalSec: 0.5 }, deribit: { minHeartbeatIntervalSec: 0.2 } })],
      }),
    ).not.toThrow();
    expect(connectionError({ deribit: { minHeartbeatIntervalSec: 0 } })).toBe(
      'connections[0].deribit.minHeartbeatIntervalSec must be >= 0.1 (got 0)',
    );
  });

  it('never repeats a secret, nor a long value', () => {
    const messages = [
      connectionError({
        session: { credentials: { kind: 'client_credentials', clientId: 'id', clientSecret: SECRET.repeat(40) } },
      }),
      connectionError({ session: { credentials: { kind: SECRET, clientId: 'id', clientSecret: SECRET } } }),
      connectionError({ url: `https://user:${SECRET}@example.invalid/` }),
      connectionError({ url: `not a url ${SECRET}` }),
      connectionError({ name: `${SECRET} !` }),
    ];
    for (const message of messages) expect(message).not.toContain(SECRET);
    expect(messages[1]).toContain('(got a 33-character value, not shown)');
  });

  it('names the connection when one is added at run time', () => {
    expect(messageOf(() => validateConnectionConfig(good({ silenceTimeoutMs: 0 })))).toBe(
      'exchange connection "alpha": silenceTimeoutMs must be >= 500 (got 0)',
    );
  });
});

describe('one schema for code and the environment', () => {
  // The same bad value through both doors: the rule's wording must be identical, only the name differs.
  it.each([
    ['DERIBIT_SILENCE_TIMEOUT_MS', '-1', 'silenceTimeoutMs', { silenceTimeoutMs: -1 }],
    ['DERIBIT_CIRCUIT_COOLDOWN_MS', '9999999999', 'circuitBreaker.cooldownMs', { circuitBreaker: { cooldownMs: 9_999_999_999 } }],
    ['DERIBIT_REQUEST_TIMEOUT_MS', '50', 'client.requestTimeoutMs', { client: { requestTimeoutMs: 50 } }],
    ['DERIBIT_CONNECT_TIMEOUT_MS', '9999999', 'client.connectTimeoutMs', { client: { connectTimeoutMs: 9_999_999 } }],
    ['DERIBIT_CIRCUIT_FAILURE_THRESHOLD', '0', 'circuitBreaker.failureThreshold', { circuitBreaker: { failureThreshold: 0 } }],
    ['DERIBIT_MAX_CHANNELS_PER_CALL', '100000', 'deribit.maxChannelsPerCall', { deribit: { maxChannelsPerCall: 100_000 } }],
    ['DERIBIT_HEARTBEAT_INTERVAL_SEC', '4000', 'session.heartbeatIntervalSec', { session: { heartbeatIntervalSec: 4000 } }],
    ['DERIBIT_URL', 'ws://', 'url', { url: 'ws://' }],
    ['DERIBIT_URL', 'tcp://x', 'url', { url: 'tcp://x' }],
    [
      'DERIBIT_AUTH_METHOD',
      'oauth',
      'session.credentials.kind',
      { session: { credentials: { kind: 'oauth', clientId: 'a', clientSecret: 'b' } } },
    ],
  ])('%s=%s and %s', (variable, text, field, overrides) => {
    const fromEnv = messageOf(() =>
      exchangeConnectionsFromEnv({
        DERIBIT_URL: 'wss://x',
        DERIBIT_CLIENT_ID: 'a',
        DERIBIT_CLIENT_SECRET: 'b',
        [variable]: text,
      }),
    );
    const fromCode = connectionError({
      session: { credentials: { kind: 'client_credentials', clientId: 'a', clientSecret: 'b' } },
      ...overrides,
    });
    expect(fromEnv.startsWith(`${variable} `)).toBe(true);
    expect(fromCode.startsWith(`connections[0].${field} `)).toBe(true);
    expect(fromEnv.slice(variable.length)).toBe(fromCode.slice(`connections[0].${field}`.length));
  });
});

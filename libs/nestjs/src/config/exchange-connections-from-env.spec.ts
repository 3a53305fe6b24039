import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_DEFAULTS, ExchangeConnectionError, MAX_TIMER_MS, SUPERVISOR_DEFAULTS } from '@exchange-connection/core';
import { BINANCE_VENUE } from '../venues/binance-venue.js';
import { CONNECTION_ENV_VARIABLES, MODULE_ENV_VARIABLES, envPrefixFor } from './env-variables.js';
import {
  exchangeConnectionFromEnv,
  exchangeConnectionSettingsFromEnv,
  exchangeConnectionsFromEnv,
  exchangeModuleSettingsFromEnv,
} from './exchange-connections-from-env.js';

const SECRET = 'super-secret-value-123';
const URL_OK = 'wss://test.deribit.com/ws/api/v2';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZ2V0LXRoZS1wZW0tb25seQ==\n-----END CERTIFICATE-----\n';

function configError(run: () => unknown): ExchangeConnectionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExchangeConnectionError) return error;
    throw error;
  }
  throw new Error('expected INVALID_CONFIG');
}

const fromEnv = (env: Record<string, string | undefined>) => () => exchangeConnectionsFromEnv(env);

describe('exchangeConnectionsFromEnv', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'env-ca-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the documented defaults: the core defaults, and the silence bound derived from the heartbeat', () => {
    const options = exchangeConnectionsFromEnv({ DERIBIT_URL: URL_OK });
    expect(options.sweepIntervalMs).toBe(1000);
    expect(options.connections).toHaveLength(1);
    const c = options.connections[0]!;
    expect(c.name).toBe('deribit');
    expect(c.session?.heartbeatIntervalSec).toBe(10);
    expect(c.session?.credentials).toBeUndefined();
    expect(c.session?.cancelOnDisconnect).toBe(false);
    expect(c.session?.disableCancelOnDisconnectOnClose).toBe(false);
    expect(c.silenceTimeoutMs).toBe(25_000);
    expect(c.client?.heartbeat).toEqual({ intervalMs: 8_333, timeoutMs: 25_000 });
    expect(c.client?.requestTimeoutMs).toBe(CLIENT_DEFAULTS.requestTimeoutMs);
    expect(c.rebuild).toEqual(SUPERVISOR_DEFAULTS.rebuild);
    expect(c.circuitBreaker).toEqual(SUPERVISOR_DEFAULTS.circuitBreaker);
    // A longer heartbeat moves the derived silence bound with it.
    expect(
      exchangeConnectionsFromEnv({ DERIBIT_URL: URL_OK, DERIBIT_HEARTBEAT_INTERVAL_SEC: '20' }).connections[0]?.silenceTimeoutMs,
    ).toBe(50_000);
  });

  it('reads the named connections, each from its own prefix', () => {
    const options = exchangeConnectionsFromEnv(
      {
        DERIBIT_A_URL: 'ws://127.0.0.1:1/ws/api/v2',
        DERIBIT_B_URL: 'ws://127.0.0.1:2/ws/api/v2',
        DERIBIT_B_CLIENT_ID: 'id-b',
        DERIBIT_B_CLIENT_SECRET: SECRET,
        DERIBIT_B_AUTH_METHOD: 'client_signature',
        DERIBIT_B_CANCEL_ON_DISCONNECT: 'true',
        DERIBIT_B_CANCEL_ON_DISCONNECT_SCOPE: 'account',
        DERIBIT_B_CANCEL_ON_DISCONNECT_DISABLE_ON_CLOSE: 'yes',
        DERIBIT_B_CA_FILE: writeCa('ok.pem', PEM),
      },
      ['deribit-a', 'deribit-b'],
    );
    expect(options.connections.map((c) => c.name)).toEqual(['deribit-a', 'deribit-b']);
    const b = options.connections[1]!;
    expect(b.session?.credentials).toEqual({ kind: 'client_signature', clientId: 'id-b', clientSecret: SECRET });
    expect(b.session?.cancelOnDisconnect).toEqual({ scope: 'account' });
    expect(b.session?.disableCancelOnDisconnectOnClose).toBe(true);
    expect(String(b.client?.tls?.ca)).toBe(PEM);
    expect(envPrefixFor('deribit-b')).toBe('DERIBIT_B_');
  });

  it.each([
    [{ DERIBIT_URL: 'http://x' }, 'DERIBIT_URL must start with ws:// or wss:// (got http://)'],
    [{ DERIBIT_URL: 'ws://' }, 'DERIBIT_URL is not a valid URL'],
    [{ DERIBIT_URL: 'ws://exa mple.com/ws' }, 'DERIBIT_URL is not a valid URL'],
    [{ DERIBIT_HEARTBEAT_INTERVAL_SEC: '5' }, 'DERIBIT_HEARTBEAT_INTERVAL_SEC must be >= 10 (got 5; Deribit refuses less)'],
    [{ DERIBIT_HEARTBEAT_INTERVAL_SEC: '1e3' }, 'DERIBIT_HEARTBEAT_INTERVAL_SEC must be a number'],
    [{ DERIBIT_REQUEST_TIMEOUT_MS: 'soon' }, 'DERIBIT_REQUEST_TIMEOUT_MS must be an integer (got "soon")'],
    [{ DERIBIT_REQUEST_TIMEOUT_MS: '9999999999' }, 'DERIBIT_REQUEST_TIMEOUT_MS must be <= 300000 (got 9999999999)'],
    [{ DERIBIT_SILENCE_TIMEOUT_MS: '9999999999' }, 'DERIBIT_SILENCE_TIMEOUT_MS must be <= 10800000 (got 9999999999)'],
    [{ DERIBIT_SILENCE_TIMEOUT_MS: '-1' }, 'DERIBIT_SILENCE_TIMEOUT_MS must be >= 500 (got -1)'],
    [{ DERIBIT_CIRCUIT_COOLDOWN_MS: '9999999999' }, 'DERIBIT_CIRCUIT_COOLDOWN_MS must be <= 86400000 (got 9999999999)'],
    [{ DERIBIT_CIRCUIT_FAILURE_THRESHOLD: '0' }, 'DERIBIT_CIRCUIT_FAILURE_THRESHOLD must be >= 1 (got 0)'],
    [{ DERIBIT_MAX_CHANNELS_PER_CALL: '0' }, 'DERIBIT_MAX_CHANNELS_PER_CALL must be >= 1 (got 0)'],
    [
      { DERIBIT_RECONNECT_MAX_DELAY_MS: '100' },
      'DERIBIT_RECONNECT_MAX_DELAY_MS must be >= DERIBIT_RECONNECT_BASE_DELAY_MS (got 100 < 500)',
    ],
    [{ DERIBIT_CANCEL_ON_DISCONNECT: 'maybe' }, 'DERIBIT_CANCEL_ON_DISCONNECT must be true or false (got "maybe")'],
    [
      { DERIBIT_CANCEL_ON_DISCONNECT: 'true', DERIBIT_CANCEL_ON_DISCONNECT_SCOPE: 'all' },
      'DERIBIT_CANCEL_ON_DISCONNECT_SCOPE must be one of connection, account (got "all")',
    ],
    [
      { DERIBIT_AUTH_METHOD: 'password', DERIBIT_CLIENT_ID: 'a', DERIBIT_CLIENT_SECRET: 'b' },
      'DERIBIT_AUTH_METHOD must be one of client_credentials, client_signature (got "password")',
    ],
    [{ DERIBIT_CLIENT_SECRET: SECRET }, 'DERIBIT_CLIENT_ID is required when DERIBIT_CLIENT_SECRET is set'],
    [{ DERIBIT_CLIENT_ID: 'id' }, 'DERIBIT_CLIENT_SECRET is required when DERIBIT_CLIENT_ID is set'],
    [{ DERIBIT_CA_FILE: '/nonexistent/ca.pem' }, 'DERIBIT_CA_FILE cannot be read'],
    [{ EXCHANGE_SWEEP_INTERVAL_MS: '1' }, 'EXCHANGE_SWEEP_INTERVAL_MS must be >= 50 (got 1)'],
    [{ EXCHANGE_SWEEP_INTERVAL_MS: '0' }, 'EXCHANGE_SWEEP_INTERVAL_MS must be >= 50 (got 0)'],
  ])('fails naming the variable: %j', (env, expected) => {
    const error = configError(fromEnv({ DERIBIT_URL: URL_OK, ...env }));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain(expected);
  });

  it('requires DERIBIT_URL', () => {
    expect(configError(fromEnv({})).message).toBe(
      'DERIBIT_URL is required (ws:// or wss:// endpoint, e.g. wss://test.deribit.com/ws/api/v2)',
    );
  });

  it('rejects a CA file that is not a PEM certificate', () => {
    const error = configError(fromEnv({ DERIBIT_URL: URL_OK, DERIBIT_CA_FILE: writeCa('not.pem', 'hello, not a certificate') }));
    expect(error.message).toBe(
      'DERIBIT_CA_FILE must be a PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)',
    );
  });

  it('checks every duration against what a Node timer can hold, naming the variable', () => {
    const durations = [
      ...CONNECTION_ENV_VARIABLES.filter((v) => v.key.endsWith('_MS')).map((v) => `DERIBIT_${v.key}`),
      ...MODULE_ENV_VARIABLES.filter((v) => v.key.endsWith('_MS')).map((v) => v.key),
    ];
    expect(durations.length).toBeGreaterThanOrEqual(7);
    for (const variable of durations) {
      const error = configError(fromEnv({ DERIBIT_URL: URL_OK, [variable]: String(MAX_TIMER_MS + 1) }));
      expect(error.message).toMatch(new RegExp(`^${variable} must be <= \\d+ \\(got ${MAX_TIMER_MS + 1}\\)$`));
      const limit = Number(/<= (\d+)/.exec(error.message)?.[1]);
      expect(limit).toBeLessThanOrEqual(MAX_TIMER_MS);
    }
  });

  it('lists every problem at once', () => {
    const error = configError(
      fromEnv({ DERIBIT_URL: 'http://x', DERIBIT_CIRCUIT_COOLDOWN_MS: '-5', EXCHANGE_SWEEP_INTERVAL_MS: 'x' }),
    );
    expect(error.message.split('; ')).toEqual([
      'EXCHANGE_SWEEP_INTERVAL_MS must be an integer (got "x")',
      'DERIBIT_URL must start with ws:// or wss:// (got http://)',
      'DERIBIT_CIRCUIT_COOLDOWN_MS must be >= 100 (got -5)',
    ]);
  });

  it('does not echo a long bad value (a secret pasted into the wrong variable)', () => {
    const error = configError(
      fromEnv({ DERIBIT_URL: URL_OK, DERIBIT_AUTH_METHOD: SECRET + SECRET, DERIBIT_CLIENT_ID: 'a', DERIBIT_CLIENT_SECRET: 'b' }),
    );
    expect(error.message).toBe(
      'DERIBIT_AUTH_METHOD must be one of client_credentials, client_signature (got a 44-character value, not shown)',
    );
    for (const env of [
      { DERIBIT_URL: `wss://user:${SECRET}@example.invalid x/` },
      { DERIBIT_URL: `https://user:${SECRET}@example.invalid/` },
      { DERIBIT_URL: URL_OK, DERIBIT_CLIENT_SECRET: SECRET },
      { DERIBIT_URL: URL_OK, DERIBIT_CLIENT_ID: 'id', DERIBIT_CLIENT_SECRET: SECRET.repeat(60) },
      { DERIBIT_URL: URL_OK, DERIBIT_CA_FILE: SECRET },
      { DERIBIT_URL: URL_OK, DERIBIT_HEARTBEAT_INTERVAL_SEC: SECRET },
    ]) {
      expect(configError(fromEnv(env)).message).not.toContain(SECRET);
    }
  });

  it('reads from a ConfigService-like getter too', () => {
    const values: Record<string, string> = { DERIBIT_URL: 'ws://127.0.0.1:9/ws/api/v2' };
    const options = exchangeConnectionsFromEnv({ get: (key: string) => values[key] });
    expect(options.connections[0]!.url).toBe('ws://127.0.0.1:9/ws/api/v2');
  });

  it('refuses two names that read the same variables', () => {
    expect(configError(() => exchangeConnectionsFromEnv({ A_B_URL: URL_OK }, ['a-b', 'a_b'])).message).toContain(
      'connections "a-b" and "a_b" both read A_B_* variables',
    );
  });

  it('has one-connection and module-wide readers, and a forRootAsync entry whose name is written once', () => {
    const env = { PAIR_URL: URL_OK, EXCHANGE_SWEEP_INTERVAL_MS: '250' };
    expect(exchangeModuleSettingsFromEnv(env)).toEqual({ sweepIntervalMs: 250 });
    expect(exchangeConnectionSettingsFromEnv(env, 'pair').url).toBe(URL_OK);
    expect(configError(() => exchangeConnectionSettingsFromEnv(env, 'other')).message).toContain('OTHER_URL is required');
    const entry = exchangeConnectionFromEnv('pair', { inject: 'ENV' });
    expect(entry).toMatchObject({ name: 'pair', inject: ['ENV'] });
    const factory = entry.useFactory as unknown as (source: Record<string, string>) => { url: string };
    expect(factory(env).url).toBe(URL_OK);
    expect(exchangeConnectionFromEnv('pair').inject).toEqual([]);
  });

  function writeCa(file: string, text: string): string {
    const path = join(dir, file);
    writeFileSync(path, text);
    return path;
  }
});

describe('exchangeConnectionsFromEnv: the venue of each connection', () => {
  const BYBIT_LINEAR = 'wss://stream.bybit.com/v5/public/linear';

  it('reads a Bybit connection: its market from BYBIT_MARKET, or from the URL path when unset', () => {
    const env = { BYBIT_VENUE: 'bybit', BYBIT_URL: BYBIT_LINEAR };
    const [bybit] = exchangeConnectionsFromEnv(env, ['bybit']).connections;
    expect(bybit).toMatchObject({ name: 'bybit', venue: 'bybit', url: BYBIT_LINEAR, bybit: { market: 'linear' } });
    // Nothing of Deribit's: no settings block of another venue reaches the schema or the factory.
    expect(bybit).not.toHaveProperty('deribit');
    const spot = exchangeConnectionsFromEnv({ ...env, BYBIT_URL: 'ws://127.0.0.1:9/v5/public/spot' }, ['bybit']).connections[0];
    expect(spot?.bybit).toEqual({ market: 'spot' });
    const explicit = exchangeConnectionsFromEnv({ ...env, BYBIT_URL: 'ws://127.0.0.1:9/ws', BYBIT_MARKET: 'spot' }, ['bybit']);
    expect(explicit.connections[0]?.bybit).toEqual({ market: 'spot' });
  });

  it('reads a private Bybit connection with its API key, secret and max_active_time', () => {
    const env = {
      BYBIT_VENUE: 'bybit',
      BYBIT_URL: 'wss://stream.bybit.com/v5/private',
      BYBIT_CLIENT_ID: 'key',
      BYBIT_CLIENT_SECRET: SECRET,
      BYBIT_MAX_ACTIVE_TIME_SEC: '120',
    };
    const [bybit] = exchangeConnectionsFromEnv(env, ['bybit']).connections;
    expect(bybit?.bybit).toEqual({ market: 'private', maxActiveTimeSec: 120 });
    expect(bybit?.session?.credentials).toMatchObject({ clientId: 'key', clientSecret: SECRET });
  });

  it('mixes venues, each connection from its own prefix; an unset VENUE is deribit unless the app says otherwise', () => {
    const env = { DERIBIT_URL: URL_OK, BYBIT_VENUE: 'bybit', BYBIT_URL: BYBIT_LINEAR };
    const options = exchangeConnectionsFromEnv(env, ['deribit', 'bybit']);
    expect(options.connections.map((c) => [c.name, c.venue])).toEqual([
      ['deribit', 'deribit'],
      ['bybit', 'bybit'],
    ]);
    expect(options.connections[0]?.deribit).toEqual({ maxChannelsPerCall: 200 });
    // The app's rule: a connection named after a venue defaults to it.
    const named = exchangeConnectionsFromEnv({ BYBIT_URL: BYBIT_LINEAR }, ['bybit'], {
      defaultVenue: (name) => (name === 'bybit' ? 'bybit' : 'deribit'),
    });
    expect(named.connections[0]?.venue).toBe('bybit');
    expect(exchangeConnectionSettingsFromEnv({ X_URL: BYBIT_LINEAR }, 'x', { defaultVenue: 'bybit' }).venue).toBe('bybit');
    const factory = exchangeConnectionFromEnv('x', { defaultVenue: 'bybit' }).useFactory as unknown as (
      source: Record<string, string>,
    ) => { venue: string };
    expect(factory({ X_URL: BYBIT_LINEAR }).venue).toBe('bybit');
  });

  it.each([
    [{ BYBIT_VENUE: 'okx', BYBIT_URL: BYBIT_LINEAR }, 'BYBIT_VENUE must be one of deribit, bybit'],
    [
      { BYBIT_VENUE: 'bybit', BYBIT_URL: 'wss://stream.bybit.com/ws' },
      'BYBIT_MARKET is required (spot, linear or private; read from the URL when it ends in /v5/public/spot, /v5/public/linear or /v5/private)',
    ],
    [
      { BYBIT_VENUE: 'bybit', BYBIT_URL: BYBIT_LINEAR, BYBIT_MARKET: 'inverse' },
      'BYBIT_MARKET must be one of spot, linear, private (got "inverse")',
    ],
    [
      { BYBIT_VENUE: 'bybit', BYBIT_URL: 'wss://stream.bybit.com/v5/private' },
      "BYBIT_CLIENT_ID is required for Bybit market 'private'",
    ],
    [
      { BYBIT_VENUE: 'bybit', BYBIT_URL: BYBIT_LINEAR, BYBIT_MAX_ACTIVE_TIME_SEC: '120' },
      "BYBIT_MAX_ACTIVE_TIME_SEC applies to Bybit market 'private' only",
    ],
    [
      {
        BYBIT_VENUE: 'bybit',
        BYBIT_URL: 'wss://stream.bybit.com/v5/private',
        BYBIT_CLIENT_ID: 'k',
        BYBIT_CLIENT_SECRET: SECRET,
        BYBIT_MAX_ACTIVE_TIME_SEC: '5',
      },
      'BYBIT_MAX_ACTIVE_TIME_SEC must be >= 30 (got 5)',
    ],
    [
      { BYBIT_VENUE: 'bybit', BYBIT_URL: BYBIT_LINEAR, BYBIT_CANCEL_ON_DISCONNECT: 'true' },
      "BYBIT_CANCEL_ON_DISCONNECT is not available on Bybit's WebSocket",
    ],
    [
      { BYBIT_VENUE: 'bybit', BYBIT_URL: BYBIT_LINEAR, BYBIT_MAX_CHANNELS_PER_CALL: '10' },
      'BYBIT_MAX_CHANNELS_PER_CALL applies to venue deribit only (BYBIT_VENUE is bybit); remove it',
    ],
    [{ BYBIT_URL: URL_OK, BYBIT_MARKET: 'linear' }, 'BYBIT_MARKET applies to venue bybit only (BYBIT_VENUE is deribit)'],
    [{ BYBIT_VENUE: 'bybit' }, 'BYBIT_URL is required (ws:// or wss:// endpoint, e.g. wss://stream.bybit.com/v5/public/linear'],
  ])('fails naming the variable: %j', (env, expected) => {
    const error = configError(() => exchangeConnectionsFromEnv(env, ['bybit']));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain(expected);
  });

  it('reads a Binance connection: its market from the URL path (or BINANCE_MARKET), its REST base', () => {
    const env = { BINANCE_VENUE: 'binance', BINANCE_URL: 'wss://stream.binance.com:9443/stream' };
    expect(exchangeConnectionsFromEnv(env, ['binance']).connections[0]).toMatchObject({
      venue: 'binance',
      binance: { market: 'spot' },
    });
    const futures = { BINANCE_VENUE: 'binance', BINANCE_URL: 'wss://fstream.binance.com/public' };
    expect(exchangeConnectionsFromEnv(futures, ['binance']).connections[0]?.binance).toEqual({ market: 'futures-public' });
    const bare = {
      ...env,
      BINANCE_URL: 'wss://fstream.binance.com',
      BINANCE_MARKET: 'futures-market',
      BINANCE_REST_URL: 'https://fapi.binance.com',
    };
    expect(exchangeConnectionsFromEnv(bare, ['binance']).connections[0]?.binance).toEqual({
      market: 'futures-market',
      restUrl: 'https://fapi.binance.com',
    });
  });

  it('a BINANCE_URL on the USDⓈ-M /private path selects futures-user-data, with the user-data credentials', () => {
    for (const url of ['wss://fstream.binance.com/private', 'wss://fstream.binance.com/private/ws']) {
      const env = {
        BINANCE_VENUE: 'binance',
        BINANCE_URL: url,
        BINANCE_CLIENT_ID: 'futures-key',
        BINANCE_CLIENT_SECRET: 'futures-secret',
      };
      const [config] = exchangeConnectionsFromEnv(env, ['binance']).connections;
      expect(config).toMatchObject({
        venue: 'binance',
        binance: { market: 'futures-user-data' },
        session: { credentials: { clientId: 'futures-key', clientSecret: 'futures-secret' } },
      });
      const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
      const adapter = BINANCE_VENUE.createAdapter(config?.binance, quiet);
      expect(adapter).toMatchObject({ market: 'futures-user-data' });
      expect(adapter.prepareSocket).toEqual(expect.any(Function));
    }
  });

  it("reads BINANCE_REQUEST_PAUSE: unset leaves the adapter's shared pause, private asks for the connection's own", () => {
    const env = { BINANCE_VENUE: 'binance', BINANCE_URL: 'wss://stream.binance.com:9443/stream' };
    const settingsOf = (extra: Record<string, string>) =>
      exchangeConnectionsFromEnv({ ...env, ...extra }, ['binance']).connections[0]?.binance;
    expect(settingsOf({})).toEqual({ market: 'spot' });
    expect(settingsOf({ BINANCE_REQUEST_PAUSE: '' })).toEqual({ market: 'spot' });
    expect(settingsOf({ BINANCE_REQUEST_PAUSE: 'shared' })).toEqual({ market: 'spot', requestPause: 'shared' });
    expect(settingsOf({ BINANCE_REQUEST_PAUSE: 'private' })).toEqual({ market: 'spot', requestPause: 'private' });
  });

  it.each([
    [
      { BINANCE_URL: 'wss://stream.binance.com:9443' },
      'BINANCE_MARKET is required (spot, futures-public, futures-market, user-data or futures-user-data',
    ],
    [{ BINANCE_URL: 'wss://stream.binance.com:9443/ws-api/v3' }, "BINANCE_CLIENT_ID is required for Binance market 'user-data'"],
    [
      { BINANCE_URL: 'wss://fstream.binance.com/private' },
      "BINANCE_CLIENT_ID is required for Binance market 'futures-user-data'",
    ],
    [
      { BINANCE_URL: 'wss://stream.binance.com:9443/stream', BINANCE_REST_URL: 'api.binance.com' },
      'BINANCE_REST_URL must be an http:// or https:// URL',
    ],
    [
      { BINANCE_URL: 'wss://stream.binance.com:9443/stream', BINANCE_MAX_ACTIVE_TIME_SEC: '60' },
      'BINANCE_MAX_ACTIVE_TIME_SEC applies to venue bybit only',
    ],
    [
      { BINANCE_URL: 'wss://stream.binance.com:9443/stream', BINANCE_REQUEST_PAUSE: 'global' },
      'BINANCE_REQUEST_PAUSE must be one of shared, private (got "global")',
    ],
    [
      // Case matters, as for every other enum variable: the adapter would refuse 'Private'.
      { BINANCE_URL: 'wss://stream.binance.com:9443/stream', BINANCE_REQUEST_PAUSE: 'Private' },
      'BINANCE_REQUEST_PAUSE must be one of shared, private (got "Private")',
    ],
  ])('fails naming the Binance variable: %j', (env, expected) => {
    const error = configError(() => exchangeConnectionsFromEnv({ BINANCE_VENUE: 'binance', ...env }, ['binance']));
    expect(error.message).toContain(expected);
  });

  it('reads the rotation settings: lead before the venue cut, overlap and drain bounds; unset lead and interval leave the core default', () => {
    const binance = { BINANCE_VENUE: 'binance', BINANCE_URL: 'wss://stream.binance.com:9443/stream' };
    expect(exchangeConnectionsFromEnv(binance, ['binance']).connections[0]?.rotation).toEqual({
      overlapTimeoutMs: SUPERVISOR_DEFAULTS.rotation.overlapTimeoutMs,
      drainTimeoutMs: SUPERVISOR_DEFAULTS.rotation.drainTimeoutMs,
    });
    const tuned = exchangeConnectionsFromEnv(
      {
        ...binance,
        BINANCE_ROTATION_LEAD_MS: '1800000',
        BINANCE_ROTATION_OVERLAP_TIMEOUT_MS: '3000',
        BINANCE_ROTATION_DRAIN_TIMEOUT_MS: '0',
        BINANCE_MAX_SOCKET_LIFETIME_MS: '7200000',
      },
      ['binance'],
    ).connections[0];
    expect(tuned?.rotation).toEqual({ leadMs: 1_800_000, overlapTimeoutMs: 3_000, drainTimeoutMs: 0 });
    expect(tuned?.binance).toEqual({ market: 'spot', maxSocketLifetimeMs: 7_200_000 });
    // A venue without a socket lifetime rotates on a plain interval, if asked to.
    const deribit = exchangeConnectionsFromEnv({ DERIBIT_URL: URL_OK, DERIBIT_ROTATE_AFTER_MS: '3600000' }).connections[0];
    expect(deribit?.rotation?.rotateAfterMs).toBe(3_600_000);
  });

  it.each([
    [{ BINANCE_ROTATION_LEAD_MS: 'soon' }, 'BINANCE_ROTATION_LEAD_MS must be an integer (got "soon")'],
    [{ BINANCE_ROTATION_LEAD_MS: '0' }, 'BINANCE_ROTATION_LEAD_MS must be >= 100 (got 0)'],
    [{ BINANCE_ROTATION_LEAD_MS: '90000000' }, 'BINANCE_ROTATION_LEAD_MS must be <= 86400000 (got 90000000)'],
    [
      { BINANCE_ROTATION_LEAD_MS: '86400000' },
      "BINANCE_ROTATION_LEAD_MS must be below the venue's socket lifetime, 86400000 ms (got 86400000); the lifetime is BINANCE_MAX_SOCKET_LIFETIME_MS",
    ],
    [
      { BINANCE_ROTATION_LEAD_MS: '5000', BINANCE_MAX_SOCKET_LIFETIME_MS: '4000' },
      "BINANCE_ROTATION_LEAD_MS must be below the venue's socket lifetime, 4000 ms (got 5000)",
    ],
    [
      { BINANCE_ROTATION_LEAD_MS: '5000', BINANCE_ROTATE_AFTER_MS: '60000' },
      'BINANCE_ROTATION_LEAD_MS and BINANCE_ROTATE_AFTER_MS name the same moment: set one of them',
    ],
    [
      { BINANCE_ROTATE_AFTER_MS: '4000', BINANCE_MAX_SOCKET_LIFETIME_MS: '4000' },
      "BINANCE_ROTATE_AFTER_MS must be below the venue's socket lifetime, 4000 ms (got 4000)",
    ],
    [{ BINANCE_ROTATE_AFTER_MS: '10' }, 'BINANCE_ROTATE_AFTER_MS must be >= 500 (got 10)'],
    [{ BINANCE_ROTATION_OVERLAP_TIMEOUT_MS: '10' }, 'BINANCE_ROTATION_OVERLAP_TIMEOUT_MS must be >= 100 (got 10)'],
    [{ BINANCE_ROTATION_DRAIN_TIMEOUT_MS: '-1' }, 'BINANCE_ROTATION_DRAIN_TIMEOUT_MS must be >= 0 (got -1)'],
    [{ BINANCE_MAX_SOCKET_LIFETIME_MS: '500' }, 'BINANCE_MAX_SOCKET_LIFETIME_MS must be >= 1000 (got 500)'],
  ])('fails naming the rotation variable: %j', (env, expected) => {
    const error = configError(() =>
      exchangeConnectionsFromEnv({ BINANCE_VENUE: 'binance', BINANCE_URL: 'wss://stream.binance.com:9443/stream', ...env }, [
        'binance',
      ]),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain(expected);
  });

  it('refuses a rotation lead on a venue whose sockets have no lifetime, pointing at the interval instead', () => {
    const error = configError(fromEnv({ DERIBIT_URL: URL_OK, DERIBIT_ROTATION_LEAD_MS: '60000' }));
    expect(error.message).toBe(
      "DERIBIT_ROTATION_LEAD_MS needs a venue whose sockets have a lifetime (Binance); venue 'deribit' sets none; a planned rotation there is DERIBIT_ROTATE_AFTER_MS",
    );
  });

  it('never shows a secret in a problem', () => {
    const error = configError(() =>
      exchangeConnectionsFromEnv(
        { BYBIT_VENUE: 'bybit', BYBIT_URL: BYBIT_LINEAR, BYBIT_MARKET: SECRET, BYBIT_CLIENT_SECRET: SECRET },
        ['bybit'],
      ),
    );
    expect(error.message).not.toContain(SECRET);
  });
});

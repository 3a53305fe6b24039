import { ExchangeConnectionError } from '@exchange-connection/core';
import { exchangeConnectionsFromEnv, envPrefixFor } from './exchange-connections-from-env.js';

const SECRET = 'super-secret-value-123';

function configError(env: Record<string, string | undefined>): ExchangeConnectionError {
  try {
    exchangeConnectionsFromEnv(env);
  } catch (error) {
    if (error instanceof ExchangeConnectionError) return error;
    throw error;
  }
  throw new Error('expected INVALID_CONFIG');
}

describe('exchangeConnectionsFromEnv', () => {
  it('applies the documented defaults', () => {
    const options = exchangeConnectionsFromEnv({ DERIBIT_URL: 'wss://test.deribit.com/ws/api/v2' });
    expect(options.sweepIntervalMs).toBe(1000);
    expect(options.connections).toHaveLength(1);
    const c = options.connections[0]!;
    expect(c.name).toBe('deribit');
    expect(c.session?.heartbeatIntervalSec).toBe(10);
    expect(c.session?.credentials).toBeUndefined();
    expect(c.session?.cancelOnDisconnect).toBe(false);
    expect(c.session?.disableCancelOnDisconnectOnClose).toBe(false);
    expect(c.silenceTimeoutMs).toBe(25_000);
    expect(c.rebuild).toEqual({ baseDelayMs: 500, maxBackoffMs: 30_000 });
    expect(c.circuitBreaker).toEqual({ failureThreshold: 5, cooldownMs: 60_000 });
  });

  it('reads several named connections with their own prefixes', () => {
    const options = exchangeConnectionsFromEnv({
      EXCHANGE_CONNECTIONS: 'deribit-a, deribit-b',
      DERIBIT_A_URL: 'ws://127.0.0.1:1/ws/api/v2',
      DERIBIT_B_URL: 'ws://127.0.0.1:2/ws/api/v2',
      DERIBIT_B_CLIENT_ID: 'id-b',
      DERIBIT_B_CLIENT_SECRET: SECRET,
      DERIBIT_B_AUTH_METHOD: 'client_signature',
      DERIBIT_B_CANCEL_ON_DISCONNECT: 'true',
      DERIBIT_B_CANCEL_ON_DISCONNECT_SCOPE: 'account',
      DERIBIT_B_CANCEL_ON_DISCONNECT_DISABLE_ON_CLOSE: 'yes',
    });
    expect(options.connections.map((c) => c.name)).toEqual(['deribit-a', 'deribit-b']);
    const b = options.connections[1]!;
    expect(b.session?.credentials).toEqual({ kind: 'client_signature', clientId: 'id-b', clientSecret: SECRET });
    expect(b.session?.cancelOnDisconnect).toEqual({ scope: 'account' });
    expect(b.session?.disableCancelOnDisconnectOnClose).toBe(true);
    expect(envPrefixFor('deribit-b')).toBe('DERIBIT_B_');
  });

  it.each([
    [{}, 'DERIBIT_URL is required'],
    [{ DERIBIT_URL: 'http://x' }, 'DERIBIT_URL must start with ws:// or wss://'],
    [{ DERIBIT_URL: 'ws://x', DERIBIT_HEARTBEAT_INTERVAL_SEC: '5' }, 'DERIBIT_HEARTBEAT_INTERVAL_SEC must be >= 10'],
    [{ DERIBIT_URL: 'ws://x', DERIBIT_REQUEST_TIMEOUT_MS: 'soon' }, 'DERIBIT_REQUEST_TIMEOUT_MS must be an integer'],
    [{ DERIBIT_URL: 'ws://x', DERIBIT_CANCEL_ON_DISCONNECT: 'maybe' }, 'DERIBIT_CANCEL_ON_DISCONNECT must be true or false'],
    [
      { DERIBIT_URL: 'ws://x', DERIBIT_AUTH_METHOD: 'password', DERIBIT_CLIENT_ID: 'a', DERIBIT_CLIENT_SECRET: 'b' },
      'DERIBIT_AUTH_METHOD must be one of',
    ],
    [{ EXCHANGE_CONNECTIONS: 'a b' }, 'EXCHANGE_CONNECTIONS has an invalid name'],
    [{ DERIBIT_URL: 'ws://x', EXCHANGE_SWEEP_INTERVAL_MS: '1' }, 'EXCHANGE_SWEEP_INTERVAL_MS must be >= 50'],
  ])('fails naming the variable: %j', (env, expected) => {
    const error = configError(env);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain(expected);
  });

  it('does not echo a long bad value (a secret pasted into the wrong variable)', () => {
    const error = configError({
      DERIBIT_URL: 'ws://x',
      DERIBIT_AUTH_METHOD: SECRET + SECRET,
      DERIBIT_CLIENT_ID: 'a',
      DERIBIT_CLIENT_SECRET: 'b',
    });
    expect(error.message).toContain(
      'DERIBIT_AUTH_METHOD must be one of client_credentials, client_signature (got a 44-character value, not shown)',
    );
    expect(error.message).not.toContain(SECRET);
  });

  it('never echoes a secret when credentials are incomplete', () => {
    const error = configError({ DERIBIT_URL: 'ws://x', DERIBIT_CLIENT_SECRET: SECRET });
    expect(error.message).toContain('DERIBIT_CLIENT_ID is required');
    expect(error.message).not.toContain(SECRET);
  });

  it('reads from a ConfigService-like getter too', () => {
    const values: Record<string, string> = { DERIBIT_URL: 'ws://127.0.0.1:9/ws/api/v2' };
    const options = exchangeConnectionsFromEnv({ get: (key: string) => values[key] });
    expect(options.connections[0]!.url).toBe('ws://127.0.0.1:9/ws/api/v2');
  });
});

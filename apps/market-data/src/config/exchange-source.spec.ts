import { ExchangeConnectionError } from '@exchange-connection/core';
import { resolveExchangeSource } from './exchange-source.js';

const invalid = (env: Record<string, string | undefined>, pattern: RegExp) => {
  expect(() => resolveExchangeSource(env)).toThrow(ExchangeConnectionError);
  expect(() => resolveExchangeSource(env)).toThrow(pattern);
};

describe('resolveExchangeSource (the embedded test exchange runs only when asked)', () => {
  it('a venue URL is a venue', () => {
    expect(resolveExchangeSource({ DERIBIT_URL: 'wss://test.deribit.com/ws/api/v2' })).toEqual({ kind: 'venue' });
    expect(resolveExchangeSource({ DERIBIT_URL: 'wss://www.deribit.com/ws/api/v2', NODE_ENV: 'production' })).toEqual({
      kind: 'venue',
    });
  });

  it('DERIBIT_URL=embedded asks for it (credentials listed as ignored)', () => {
    expect(resolveExchangeSource({ DERIBIT_URL: 'embedded' })).toEqual({ kind: 'embedded', asked: true, ignored: [] });
    expect(resolveExchangeSource({ DERIBIT_URL: ' Embedded ', DERIBIT_CLIENT_ID: 'id', DERIBIT_CLIENT_SECRET: 's' })).toEqual({
      kind: 'embedded',
      asked: true,
      ignored: ['DERIBIT_CLIENT_ID', 'DERIBIT_CLIENT_SECRET'],
    });
  });

  it('nothing configured, outside production: embedded, not asked (the newcomer case)', () => {
    expect(resolveExchangeSource({})).toEqual({ kind: 'embedded', asked: false, ignored: [] });
    // Blank credentials (a copied .env.example) are not credentials.
    expect(resolveExchangeSource({ NODE_ENV: 'development', DERIBIT_CLIENT_ID: '', DERIBIT_CLIENT_SECRET: ' ' })).toMatchObject({
      kind: 'embedded',
    });
  });

  it('a blank DERIBIT_URL is a config error naming it, never the test exchange', () => {
    invalid({ DERIBIT_URL: '' }, /^DERIBIT_URL is empty/);
    invalid({ DERIBIT_URL: '   ' }, /^DERIBIT_URL is empty/);
    invalid({ DERIBIT_URL: '', NODE_ENV: 'production', DERIBIT_CLIENT_ID: 'id', DERIBIT_CLIENT_SECRET: 'secret' }, /DERIBIT_URL/);
  });

  it('never in production', () => {
    invalid({ NODE_ENV: 'production' }, /^DERIBIT_URL is required when NODE_ENV=production/);
    invalid(
      { NODE_ENV: 'production', DERIBIT_URL: 'embedded' },
      /^DERIBIT_URL is "embedded", which is refused when NODE_ENV=production/,
    );
  });

  it('credentials without a URL are a mistake, not a request for fake prices (the secret is never echoed)', () => {
    const env = { DERIBIT_CLIENT_ID: 'my-key', DERIBIT_CLIENT_SECRET: 'a-very-secret-value' };
    invalid(env, /^DERIBIT_URL is not set but DERIBIT_CLIENT_ID and DERIBIT_CLIENT_SECRET are/);
    expect(() => resolveExchangeSource(env)).not.toThrow(/a-very-secret-value|my-key/);
  });

  it('reads the variables of the named connection', () => {
    expect(resolveExchangeSource({ DERIBIT_B_URL: 'embedded' }, 'deribit-b')).toMatchObject({ kind: 'embedded', asked: true });
    expect(() => resolveExchangeSource({ DERIBIT_B_URL: '' }, 'deribit-b')).toThrow(/^DERIBIT_B_URL is empty/);
  });
});

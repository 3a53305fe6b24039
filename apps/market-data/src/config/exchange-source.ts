import { ExchangeConnectionError } from '@exchange-connection/core';
import { envPrefixFor } from '@exchange-connection/nestjs';

/** The value of `<NAME>_URL` that asks for the embedded test exchange. */
export const EMBEDDED_URL = 'embedded';

/**
 * Where a connection's data comes from. `embedded`: a test exchange in this process (seeded fake
 * prices) — `asked` when `<NAME>_URL=embedded`, not asked when the variable is absent altogether
 * (a newcomer's `npm start`); `ignored` lists set variables the test exchange does not use.
 */
export type ExchangeSource = { kind: 'venue' } | { kind: 'embedded'; asked: boolean; ignored: string[] };

type Env = Record<string, string | undefined>;

/**
 * The embedded-exchange rule. Fake prices must never pass for real ones, so the test exchange
 * runs only when asked for (`DERIBIT_URL=embedded`), or when nothing at all was configured for
 * the connection outside production; and never under NODE_ENV=production. A blank URL, or
 * credentials without a URL, are mistakes, not requests for fake data: INVALID_CONFIG naming
 * the variable.
 */
export function resolveExchangeSource(env: Env, connection = 'deribit'): ExchangeSource {
  const prefix = envPrefixFor(connection);
  const urlKey = `${prefix}URL`;
  const url = env[urlKey];
  const production = env.NODE_ENV?.trim() === 'production';
  const credentialKeys = [`${prefix}CLIENT_ID`, `${prefix}CLIENT_SECRET`].filter((key) => (env[key]?.trim() ?? '') !== '');
  const refuse = (why: string) => new ExchangeConnectionError('INVALID_CONFIG', `${urlKey} ${why}`);
  if (url === undefined) {
    if (production) {
      throw refuse(
        'is required when NODE_ENV=production (ws:// or wss:// endpoint); the embedded test exchange never runs in production',
      );
    }
    if (credentialKeys.length > 0) {
      throw refuse(
        `is not set but ${credentialKeys.join(' and ')} ${credentialKeys.length > 1 ? 'are' : 'is'}: set ${urlKey} to the venue's ws:// or wss:// endpoint (or ${urlKey}=${EMBEDDED_URL} for the test exchange)`,
      );
    }
    return { kind: 'embedded', asked: false, ignored: [] };
  }
  const value = url.trim();
  if (value === '') {
    throw refuse(
      `is empty: set the venue's ws:// or wss:// endpoint, or ${urlKey}=${EMBEDDED_URL} for the embedded test exchange (not in production)`,
    );
  }
  if (value.toLowerCase() === EMBEDDED_URL) {
    if (production)
      throw refuse(`is "${EMBEDDED_URL}", which is refused when NODE_ENV=production: the test exchange serves fake prices`);
    return { kind: 'embedded', asked: true, ignored: credentialKeys };
  }
  return { kind: 'venue' };
}

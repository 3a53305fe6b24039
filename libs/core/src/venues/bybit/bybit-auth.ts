import { createHmac } from 'node:crypto';
import { ExchangeConnectionError } from '../../client/errors.js';
import { BYBIT_DEFAULTS } from '../../connection-defaults.js';

/** A Bybit API key and its HMAC secret. Never logged, never put in an error. */
export interface BybitApiKey {
  apiKey: string;
  apiSecret: string;
}

/**
 * How far ahead `expires` is set. The venue refuses an auth whose `expires` has passed, so it must
 * outlast the frame's trip; pybit uses +1 s, Bybit's own examples +1 s, other clients +10 s. A
 * short window limits what a captured auth frame is worth.
 */
export const DEFAULT_AUTH_VALIDITY_MS: number = BYBIT_DEFAULTS.authValidityMs;

/** hex(HMAC-SHA256(secret, "GET/realtime" + expires)), the signature of Bybit's `auth` op (docs: v5 ws connect). */
export function bybitSignature(apiSecret: string, expires: number): string {
  return createHmac('sha256', apiSecret).update(`GET/realtime${expires}`).digest('hex');
}

/**
 * The `args` of one `auth` op: `[apiKey, expires, signature]`. Built afresh for every (re)auth: an
 * `expires` from an earlier socket may have passed, and reusing one would replay a signed frame.
 */
export function bybitAuthArgs(
  credentials: BybitApiKey,
  nowMs: number,
  validityMs = DEFAULT_AUTH_VALIDITY_MS,
): [string, number, string] {
  const expires = Math.floor(nowMs) + validityMs;
  return [credentials.apiKey, expires, bybitSignature(credentials.apiSecret, expires)];
}

/** Fails at startup, naming the field, rather than as a rejected auth on every rebuild. */
export function assertBybitApiKey(credentials: BybitApiKey): BybitApiKey {
  if (typeof credentials.apiKey !== 'string' || credentials.apiKey.length === 0) {
    throw new ExchangeConnectionError('INVALID_CONFIG', 'Bybit credentials need a non-empty apiKey');
  }
  if (typeof credentials.apiSecret !== 'string' || credentials.apiSecret.length === 0) {
    throw new ExchangeConnectionError('INVALID_CONFIG', 'Bybit credentials need a non-empty apiSecret');
  }
  return credentials;
}

export function assertAuthValidityMs(validityMs: number): number {
  if (!Number.isInteger(validityMs) || validityMs < 1 || validityMs > 60_000) {
    throw new ExchangeConnectionError('INVALID_CONFIG', 'Bybit authValidityMs must be an integer between 1 and 60000');
  }
  return validityMs;
}

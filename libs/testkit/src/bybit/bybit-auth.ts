import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The string Bybit signs for a WebSocket `auth` op: `GET/realtime` followed by `expires` (ms). */
export function bybitAuthPayload(expires: number): string {
  return `GET/realtime${expires}`;
}

/** Hex HMAC-SHA256 of the auth payload with the API secret; exported for clients and tests. */
export function signBybitAuth(apiSecret: string, expires: number): string {
  return createHmac('sha256', apiSecret).update(bybitAuthPayload(expires)).digest('hex');
}

/** The `args` of an auth op: `[apiKey, expires, signature]`; `expires` defaults to 10 s from now. */
export function bybitAuthArgs(apiKey: string, apiSecret: string, expires = Date.now() + 10_000): [string, number, string] {
  return [apiKey, expires, signBybitAuth(apiSecret, expires)];
}

export function sameSignature(expected: string, given: string): boolean {
  const left = Buffer.from(expected);
  const right = Buffer.from(given.toLowerCase());
  return left.length === right.length && timingSafeEqual(left, right);
}

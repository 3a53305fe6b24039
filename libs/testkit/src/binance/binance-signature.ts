import { Buffer } from 'node:buffer';
import { createHmac, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/** Request params as the WebSocket API receives them. */
export type SignedParams = Readonly<Record<string, unknown>>;

/**
 * The signature payload of a SIGNED WebSocket API request: every param but `signature`, sorted by
 * name, written `name=value` and joined with `&` (web-socket-api.md, "SIGNED request example").
 */
export function binanceSignaturePayload(params: SignedParams): string {
  return Object.keys(params)
    .filter((key) => key !== 'signature')
    .sort()
    .map((key) => `${key}=${String(params[key])}`)
    .join('&');
}

/** Hex HMAC-SHA256 of the payload with the secret key (HMAC keys). */
export function signBinanceHmac(secretKey: string, params: SignedParams): string {
  return createHmac('sha256', secretKey).update(binanceSignaturePayload(params), 'utf8').digest('hex');
}

/** Base64 Ed25519 signature of the payload (Ed25519 keys; `session.logon` takes only these). */
export function signBinanceEd25519(privateKey: KeyObject | string, params: SignedParams): string {
  return sign(null, Buffer.from(binanceSignaturePayload(params), 'utf8'), privateKey).toString('base64');
}

/** HMAC signatures are case-insensitive hex (docs: "Signature Case Sensitivity"). */
export function hmacMatches(secretKey: string, params: SignedParams, signature: string): boolean {
  const expected = Buffer.from(signBinanceHmac(secretKey, params));
  const given = Buffer.from(signature.toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function ed25519Matches(publicKey: KeyObject | string, params: SignedParams, signature: string): boolean {
  try {
    const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    return verify(null, Buffer.from(binanceSignaturePayload(params), 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

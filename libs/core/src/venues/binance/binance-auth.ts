import { Buffer } from 'node:buffer';
import { createHmac, createPrivateKey, sign } from 'node:crypto';
import { ExchangeConnectionError } from '../../client/errors.js';

/**
 * A Binance API key and what signs with it: an HMAC secret, or an Ed25519 private key in PEM
 * (`-----BEGIN PRIVATE KEY-----`). Never logged, never put in an error.
 */
export interface BinanceApiKey {
  apiKey: string;
  secret: string;
}

/**
 * The payload of a SIGNED WebSocket API request (web-socket-api.md, "SIGNED request security"):
 * every param but `signature`, sorted by name, `name=value` joined with `&`.
 */
export function binanceSignaturePayload(params: Readonly<Record<string, unknown>>): string {
  return Object.keys(params)
    .filter((key) => key !== 'signature')
    .sort()
    .map((key) => `${key}=${String(params[key])}`)
    .join('&');
}

function isPemKey(secret: string): boolean {
  return secret.includes('-----BEGIN');
}

/**
 * `params` with `apiKey`, `timestamp`, `recvWindow` and their `signature`: hex HMAC-SHA256 with an
 * HMAC secret, base64 Ed25519 with a PEM key. Built afresh for every attempt: a signed request is
 * valid for `recvWindow` only, and a rebuild never replays one.
 */
export function signBinanceParams(
  key: BinanceApiKey,
  nowMs: number,
  recvWindowMs: number,
  params: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const signed: Record<string, unknown> = {
    ...params,
    apiKey: key.apiKey,
    timestamp: Math.floor(nowMs),
    recvWindow: recvWindowMs,
  };
  const payload = binanceSignaturePayload(signed);
  let signature: string;
  try {
    signature = isPemKey(key.secret)
      ? sign(null, Buffer.from(payload, 'utf8'), createPrivateKey(key.secret)).toString('base64')
      : createHmac('sha256', key.secret).update(payload, 'utf8').digest('hex');
  } catch {
    // The key's own text may be in the crypto error: say only what is wrong.
    throw new ExchangeConnectionError(
      'INVALID_CONFIG',
      'Binance credentials: the private key could not be read (PEM Ed25519 expected)',
    );
  }
  signed.signature = signature;
  return signed;
}

/** Fails at startup, naming the field, rather than as a rejected subscribe on every rebuild. */
export function assertBinanceApiKey(key: BinanceApiKey): BinanceApiKey {
  if (typeof key.apiKey !== 'string' || key.apiKey.length === 0) {
    throw new ExchangeConnectionError('INVALID_CONFIG', 'Binance credentials need a non-empty API key (clientId)');
  }
  if (typeof key.secret !== 'string' || key.secret.length === 0) {
    throw new ExchangeConnectionError('INVALID_CONFIG', 'Binance credentials need a non-empty secret (clientSecret)');
  }
  if (isPemKey(key.secret)) {
    try {
      createPrivateKey(key.secret);
    } catch {
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        'Binance credentials: the private key could not be read (PEM Ed25519 expected)',
      );
    }
  }
  return key;
}

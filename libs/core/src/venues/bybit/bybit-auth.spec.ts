import { ExchangeConnectionError } from '../../client/errors.js';
import {
  assertAuthValidityMs,
  assertBybitApiKey,
  bybitAuthArgs,
  bybitSignature,
  DEFAULT_AUTH_VALIDITY_MS,
} from './bybit-auth.js';

const credentials = { apiKey: 'key-1', apiSecret: 'test-secret' };

describe('bybitSignature', () => {
  it('is hex HMAC-SHA256 over "GET/realtime" + expires', () => {
    // Reference computed outside Node: printf 'GET/realtime1662350400000' | openssl dgst -sha256 -hmac test-secret
    expect(bybitSignature('test-secret', 1662350400000)).toBe('f072aab6fa18cd774da998325df6cfc87c3ccf10d5722e6b43b570c5feaf6172');
  });
});

describe('bybitAuthArgs', () => {
  it('is [apiKey, expires, signature] with expires ahead of now', () => {
    const [apiKey, expires, signature] = bybitAuthArgs(credentials, 1662350390000);
    expect(apiKey).toBe('key-1');
    expect(expires).toBe(1662350390000 + DEFAULT_AUTH_VALIDITY_MS);
    expect(signature).toBe(bybitSignature('test-secret', expires));
  });

  it('takes a fresh expires (and signature) every time the clock moved', () => {
    const first = bybitAuthArgs(credentials, 1_000_000);
    const second = bybitAuthArgs(credentials, 1_000_001);
    expect(second[1]).toBe(first[1] + 1);
    expect(second[2]).not.toBe(first[2]);
  });

  it('keeps expires an integer of milliseconds', () => {
    expect(bybitAuthArgs(credentials, 1_000.7, 500)[1]).toBe(1_500);
  });
});

describe('config checks', () => {
  it.each([
    [{ apiKey: '', apiSecret: 's' }, 'apiKey'],
    [{ apiKey: 'k', apiSecret: '' }, 'apiSecret'],
  ])('names the missing field', (bad, field) => {
    expect(() => assertBybitApiKey(bad)).toThrow(ExchangeConnectionError);
    expect(() => assertBybitApiKey(bad)).toThrow(field);
  });

  it('never echoes the secret', () => {
    try {
      assertBybitApiKey({ apiKey: '', apiSecret: 'very-secret-value' });
    } catch (error) {
      expect(String(error)).not.toContain('very-secret-value');
    }
    expect.assertions(1);
  });

  it.each([0, -1, 1.5, 60_001, Number.NaN])('refuses authValidityMs %p', (bad) => {
    expect(() => assertAuthValidityMs(bad)).toThrow('authValidityMs');
  });
});

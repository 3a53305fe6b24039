import { signClientSignature, clientSignaturePayload } from './auth-service.js';
import { parseChannel, currencyOf } from './channel-name.js';
import { resolveOptions } from './test-exchange-options.js';
import { createHmac } from 'node:crypto';

describe('parseChannel', () => {
  const instruments = ['BTC-PERPETUAL', 'ETH-PERPETUAL'];
  it.each([
    ['ticker.BTC-PERPETUAL.100ms', { kind: 'ticker', instrument: 'BTC-PERPETUAL', interval: '100ms' }],
    ['book.ETH-PERPETUAL.raw', { kind: 'book', instrument: 'ETH-PERPETUAL', interval: 'raw' }],
    [
      'book.ETH-PERPETUAL.none.20.agg2',
      { kind: 'book.grouped', instrument: 'ETH-PERPETUAL', group: 'none', depth: 20, interval: 'agg2' },
    ],
    ['trades.BTC-PERPETUAL.agg2', { kind: 'trades', instrument: 'BTC-PERPETUAL', interval: 'agg2' }],
    ['user.orders.BTC-PERPETUAL.raw', { kind: 'user.orders', instrument: 'BTC-PERPETUAL', interval: 'raw' }],
    ['user.portfolio.eth', { kind: 'user.portfolio', currency: 'ETH' }],
  ])('%s', (name, expected) => expect(parseChannel(name, instruments)).toEqual(expected));

  it.each([
    'ticker.BTC-PERPETUAL',
    'ticker.XRP-PERPETUAL.100ms',
    'ticker.BTC-PERPETUAL.1s',
    'book.BTC-PERPETUAL.none.7.100ms',
    'user.portfolio.xrp',
    'nope',
    '',
  ])('rejects %p', (name) => expect(parseChannel(name, instruments)).toBeUndefined());

  it('derives the settlement currency', () => {
    expect(currencyOf('BTC-PERPETUAL')).toBe('BTC');
    expect(currencyOf('SOL_USDC-PERPETUAL')).toBe('USDC');
  });
});

describe('client_signature', () => {
  it('is hex HMAC-SHA256 over timestamp\\nnonce\\ndata', () => {
    expect(clientSignaturePayload(1, 'n', 'd')).toBe('1\nn\nd');
    expect(signClientSignature('s', 1, 'n', 'd')).toBe(createHmac('sha256', 's').update('1\nn\nd').digest('hex'));
  });
});

describe('resolveOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveOptions()).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      path: '/ws/api/v2',
      seed: 1,
      feedIntervalMs: 100,
      accounts: [{ clientId: 'test-client', clientSecret: 'test-secret' }],
      tokenTtlSec: 900,
      minHeartbeatIntervalSec: 10,
      signatureMaxSkewMs: 60_000,
      rateLimit: false,
      instruments: ['BTC-PERPETUAL', 'ETH-PERPETUAL'],
    });
  });

  it('names the bad option', () => {
    expect(() => resolveOptions({ feedIntervalMs: -1 })).toThrow(/feedIntervalMs/);
    expect(() => resolveOptions({ rateLimit: { capacity: 0, refillPerSec: 1 } })).toThrow(/rateLimit.capacity/);
    expect(() => resolveOptions({ accounts: [] })).toThrow(/accounts/);
    expect(() => resolveOptions({ path: 'ws' })).toThrow(/path/);
  });
});

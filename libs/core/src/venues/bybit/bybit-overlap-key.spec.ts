import { bybitOverlapKey } from './bybit-overlap-key.js';

describe('bybitOverlapKey', () => {
  it('keys books by data.u, trades by the last trade seq, tickers by cs', () => {
    expect(bybitOverlapKey('orderbook.50.BTCUSDT', { type: 'delta', data: { u: 42 } })).toBe(42);
    expect(bybitOverlapKey('publicTrade.BTCUSDT', { type: 'snapshot', data: [{ seq: 3 }, { seq: 9 }] })).toBe(9);
    expect(bybitOverlapKey('tickers.BTCUSDT', { type: 'delta', cs: 77, data: {} })).toBe(77);
  });

  it('has no key for private topics or unreadable messages', () => {
    expect(bybitOverlapKey('order', { data: [{ seq: 1 }], cs: 1 })).toBeUndefined();
    expect(bybitOverlapKey('orderbook.50.BTCUSDT', { data: { u: '42' } })).toBeUndefined();
    expect(bybitOverlapKey('publicTrade.BTCUSDT', { data: [] })).toBeUndefined();
    expect(bybitOverlapKey('tickers.BTCUSDT', null)).toBeUndefined();
  });
});

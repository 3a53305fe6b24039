import { deribitOverlapKey } from './deribit-overlap-key.js';

describe('deribitOverlapKey', () => {
  it('keys books by change_id (incremental and grouped)', () => {
    expect(deribitOverlapKey('book.BTC-PERPETUAL.100ms', { type: 'change', change_id: 12, prev_change_id: 11 })).toBe(12);
    expect(deribitOverlapKey('book.BTC-PERPETUAL.none.10.100ms', { change_id: 40 })).toBe(40);
    expect(deribitOverlapKey('book.BTC-PERPETUAL.100ms', { change_id: '12' })).toBeUndefined();
  });

  it("keys an instrument's trades by the last trade_seq of the message; per-currency trades have none", () => {
    const batch = [{ trade_seq: 7 }, { trade_seq: 8 }];
    expect(deribitOverlapKey('trades.BTC-PERPETUAL.100ms', batch)).toBe(8);
    expect(deribitOverlapKey('trades.future.BTC.100ms', batch)).toBeUndefined();
    expect(deribitOverlapKey('trades.BTC-PERPETUAL.100ms', [])).toBeUndefined();
  });

  it('keys interval tickers by timestamp; raw tickers (which can share a millisecond) and other channels have none', () => {
    expect(deribitOverlapKey('ticker.BTC-PERPETUAL.100ms', { timestamp: 1700000000000 })).toBe(1700000000000);
    expect(deribitOverlapKey('ticker.BTC-PERPETUAL.agg2', { timestamp: 5 })).toBe(5);
    expect(deribitOverlapKey('ticker.BTC-PERPETUAL.raw', { timestamp: 5 })).toBeUndefined();
    expect(deribitOverlapKey('user.orders.BTC-PERPETUAL.raw', { timestamp: 5, change_id: 1 })).toBeUndefined();
    expect(deribitOverlapKey('ticker.BTC-PERPETUAL.100ms', null)).toBeUndefined();
  });
});

import { deribitChannel, isDeribitPrivateChannel } from './deribit-channels.js';

describe('deribitChannel', () => {
  it('builds the documented names', () => {
    expect(deribitChannel.ticker('BTC-PERPETUAL', '100ms')).toBe('ticker.BTC-PERPETUAL.100ms');
    expect(deribitChannel.ticker('BTC-PERPETUAL')).toBe('ticker.BTC-PERPETUAL.100ms');
    expect(deribitChannel.book('ETH-PERPETUAL', 'raw')).toBe('book.ETH-PERPETUAL.raw');
    expect(deribitChannel.bookGrouped('BTC-PERPETUAL', 'none', 10, '100ms')).toBe('book.BTC-PERPETUAL.none.10.100ms');
    expect(deribitChannel.trades('BTC-27DEC24-50000-C', 'agg2')).toBe('trades.BTC-27DEC24-50000-C.agg2');
    expect(deribitChannel.trades({ kind: 'option', currency: 'BTC' }, 'raw')).toBe('trades.option.BTC.raw');
    expect(deribitChannel.userOrders('BTC-PERPETUAL')).toBe('user.orders.BTC-PERPETUAL.raw');
    expect(deribitChannel.userOrders({ kind: 'future', currency: 'any' }, '100ms')).toBe('user.orders.future.any.100ms');
    expect(deribitChannel.userTrades('XRP_USDC-27DEC24-0d5-C', '100ms')).toBe('user.trades.XRP_USDC-27DEC24-0d5-C.100ms');
    expect(deribitChannel.userPortfolio('BTC')).toBe('user.portfolio.BTC');
  });

  it.each([
    () => deribitChannel.ticker('BTC.PERPETUAL'),
    () => deribitChannel.ticker(''),
    () => deribitChannel.ticker('BTC PERP'),
    () => deribitChannel.book('BTC-PERPETUAL', '1s' as never),
    () => deribitChannel.bookGrouped('BTC-PERPETUAL', '3' as never, 10),
    () => deribitChannel.bookGrouped('BTC-PERPETUAL', 'none', 5 as never),
    () => deribitChannel.userOrders({ kind: 'stock' as never, currency: 'BTC' }),
    () => deribitChannel.userPortfolio('btc.x'),
  ])('rejects invalid parts with INVALID_CONFIG (%#)', (build) => {
    expect(build).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('keeps control characters out of error messages', () => {
    try {
      deribitChannel.ticker('a\u0000b');
      throw new Error('expected a throw');
    } catch (error) {
      expect((error as Error).message).not.toContain('\u0000');
    }
  });
});

describe('isDeribitPrivateChannel', () => {
  it.each([
    ['user.orders.BTC-PERPETUAL.raw', true],
    ['user.portfolio.btc', true],
    ['user.trades.future.BTC.100ms', true],
    ['ticker.BTC-PERPETUAL.raw', true],
    ['book.BTC-PERPETUAL.raw', true],
    ['book.BTC-PERPETUAL.none.10.raw', true],
    ['trades.BTC-PERPETUAL.raw', true],
    ['trades.option.BTC.raw', true],
    ['ticker.BTC-PERPETUAL.100ms', false],
    ['book.BTC-PERPETUAL.100ms', false],
    ['trades.BTC-PERPETUAL.agg2', false],
    ['deribit_price_index.btc_usd', false],
    ['platform_state', false],
  ])('%s → %s', (channel, expected) => {
    expect(isDeribitPrivateChannel(channel)).toBe(expected);
  });
});

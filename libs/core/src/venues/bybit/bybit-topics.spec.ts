import {
  bybitTopic,
  bybitTopicProblem,
  isAllInOneTopic,
  isBybitBookTopic,
  isBybitPrivateTopic,
  parseBybitTopic,
  type BybitCategory,
} from './bybit-topics.js';

describe('bybitTopic builders', () => {
  it('build the documented names', () => {
    expect(bybitTopic.tickers('BTCUSDT')).toBe('tickers.BTCUSDT');
    expect(bybitTopic.orderbook(50, 'BTCUSDT')).toBe('orderbook.50.BTCUSDT');
    expect(bybitTopic.publicTrade('BTC-26DEC25')).toBe('publicTrade.BTC-26DEC25');
    expect(bybitTopic.order()).toBe('order');
    expect(bybitTopic.order('spot')).toBe('order.spot');
    expect(bybitTopic.execution('linear')).toBe('execution.linear');
    expect(bybitTopic.position('linear')).toBe('position.linear');
    expect(bybitTopic.wallet()).toBe('wallet');
  });

  it.each(['btcusdt', 'BTC.USDT', '', 'BTC USDT', 'X'.repeat(31)])('refuse the symbol %p', (symbol) => {
    expect(() => bybitTopic.tickers(symbol)).toThrow(/Bybit symbol/);
  });

  it('refuse a depth Bybit does not publish', () => {
    expect(() => bybitTopic.orderbook(25 as 1, 'BTCUSDT')).toThrow('1, 50, 200, 1000');
  });

  it('refuse a category the topic does not have (spot has no positions)', () => {
    expect(() => bybitTopic.position('spot' as 'linear')).toThrow('position');
    expect(() => bybitTopic.order('futures' as BybitCategory)).toThrow('category');
  });
});

describe('topic rules', () => {
  it('parse the three public kinds and the private ones', () => {
    expect(parseBybitTopic('orderbook.200.ETHUSDT')).toEqual({ kind: 'orderbook', depth: 200, symbol: 'ETHUSDT' });
    expect(parseBybitTopic('tickers.ETHUSDT')).toEqual({ kind: 'tickers', symbol: 'ETHUSDT' });
    expect(parseBybitTopic('publicTrade.ETHUSDT')).toEqual({ kind: 'publicTrade', symbol: 'ETHUSDT' });
    expect(parseBybitTopic('kline.1.BTCUSDT')).toEqual({ kind: 'public-other', name: 'kline' });
    expect(parseBybitTopic('order.linear')).toEqual({ kind: 'order', category: 'linear' });
    expect(parseBybitTopic('wallet')).toEqual({ kind: 'wallet', category: undefined });
  });

  it('tell private from public, all-in-one from categorised, books from the rest', () => {
    expect(['order', 'execution.spot', 'position', 'wallet'].every(isBybitPrivateTopic)).toBe(true);
    expect(['tickers.BTCUSDT', 'orderbook.1.BTCUSDT', 'publicTrade.BTCUSDT', 'orders'].some(isBybitPrivateTopic)).toBe(false);
    expect(isAllInOneTopic('order')).toBe(true);
    expect(isAllInOneTopic('order.spot')).toBe(false);
    expect(isAllInOneTopic('tickers.BTCUSDT')).toBe(false);
    expect(isBybitBookTopic('orderbook.50.BTCUSDT')).toBe(true);
    expect(isBybitBookTopic('tickers.BTCUSDT')).toBe(false);
  });

  it.each([
    ['tickers.BTCUSDT', 'spot', undefined],
    ['orderbook.1000.BTCUSDT', 'linear', undefined],
    ['kline.1.BTCUSDT', 'linear', undefined],
    ['order', 'private', undefined],
    ['order', 'spot', 'a private topic on the public spot endpoint'],
    ['tickers.BTCUSDT', 'private', 'a public topic on the private endpoint'],
    ['orderbook.25.BTCUSDT', 'spot', 'an orderbook depth Bybit does not publish'],
    ['', 'linear', 'an empty topic'],
  ] as const)('%p on %s → %p', (topic, market, problem) => {
    expect(bybitTopicProblem(topic, market)).toBe(problem);
  });
});

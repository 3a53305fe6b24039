import {
  BYBIT_MAX_ARGS_CHARS,
  bybitArgsCost,
  bybitArgsLength,
  DEFAULT_MAX_ARGS_PER_REQUEST,
  planBybitRequests,
} from './bybit-subscribe-plan.js';

describe('planBybitRequests', () => {
  it('keeps at most 10 args per spot request, in order, without duplicates', () => {
    const topics = Array.from({ length: 23 }, (_, i) => `tickers.S${i}USDT`);
    const requests = planBybitRequests([...topics, topics[0] ?? ''], DEFAULT_MAX_ARGS_PER_REQUEST.spot);
    expect(requests.map((r) => r.length)).toEqual([10, 10, 3]);
    expect(requests.flat()).toEqual(topics);
  });

  it('never puts an all-in-one and a categorised private topic in one request', () => {
    const requests = planBybitRequests(['order', 'order.spot', 'execution', 'execution.linear', 'wallet'], 10);
    expect(requests).toEqual([
      ['order', 'execution', 'wallet'],
      ['order.spot', 'execution.linear'],
    ]);
  });

  it('returns no request for no topic', () => {
    expect(planBybitRequests([], 10)).toEqual([]);
  });

  it.each([0, -1, 2.5])('refuses maxArgsPerRequest %p', (bad) => {
    expect(() => planBybitRequests(['wallet'], bad)).toThrow('maxArgsPerRequest');
  });
});

describe('args length', () => {
  it('is the JSON length of the args array', () => {
    const topics = ['tickers.BTCUSDT', 'orderbook.50.ETHUSDT', 'publicTrade.X'];
    expect(bybitArgsLength(topics)).toBe(JSON.stringify(topics).length);
    expect(bybitArgsLength(['a'])).toBe(JSON.stringify(['a']).length);
    expect(bybitArgsLength([])).toBe(2);
    expect(bybitArgsLength(topics)).toBe(1 + topics.reduce((sum, t) => sum + bybitArgsCost(t), 0));
  });

  it('puts about a thousand book topics in one connection budget', () => {
    const topic = 'orderbook.50.BTCUSDT'; // 20 characters, 23 with quotes and comma
    expect(Math.floor((BYBIT_MAX_ARGS_CHARS - 1) / bybitArgsCost(topic))).toBe(913);
  });
});

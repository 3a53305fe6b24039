/** Symbols the benchmark's Bybit exchange lists: enough for 500 distinct topics. */
export const BENCH_SYMBOLS: string[] = [
  'BTCUSDT',
  'ETHUSDT',
  ...Array.from({ length: 98 }, (_, i) => `B${String(i).padStart(2, '0')}USDT`),
];

/** `count` distinct linear topics: tickers, trades and two book depths per symbol. */
export function restoreTopics(count: number): string[] {
  const kinds = ['tickers.%', 'publicTrade.%', 'orderbook.1.%', 'orderbook.50.%', 'orderbook.200.%'];
  return BENCH_SYMBOLS.flatMap((symbol) => kinds.map((kind) => kind.replace('%', symbol))).slice(0, count);
}

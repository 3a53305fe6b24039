/**
 * The rotation gap on Binance: a spot connection carrying a trade stream, a book ticker and a diff
 * depth book while the exchange publishes every 2 ms; `rotate()` make-before-break `rotations`
 * times. Counted end to end by a consumer: trades missed (a `t` not one past the last) or repeated,
 * book updates that do not continue the last one, and how each rotation ended (joined channels,
 * forced ones). Target: nothing missed, nothing repeated, no break.
 */
import { BinanceAdapter, SupervisedConnection, type BinanceBookMessage } from '@exchange-connection/core';
import { BinanceTestExchange } from '@exchange-connection/testkit';
import { silentLogger } from '../support/silent-logger.js';
import { median } from '../support/stats.js';

export interface BinanceRotationResult {
  rotations: number;
  completed: number;
  /** Start → the new socket serves, ms. */
  durationMedianMs: number;
  durationMaxMs: number;
  tradesDelivered: number;
  tradesMissed: number;
  tradesRepeated: number;
  bookBreaks: number;
  forcedChannels: number;
}

const TRADES = 'btcusdt@trade';
const TICKER = 'btcusdt@bookTicker';
const BOOK = 'btcusdt@depth@100ms';

export async function measureBinanceRotation(rotations = 5): Promise<BinanceRotationResult> {
  const exchange = await BinanceTestExchange.start({ port: 0, feedIntervalMs: 0, connectionLimit: false });
  const connection = new SupervisedConnection({
    name: 'binance-rotation',
    url: exchange.urls.spotCombined,
    venue: new BinanceAdapter({ market: 'spot', restUrl: exchange.urls.rest }),
    logger: silentLogger(),
  });
  let lastTrade: number | undefined;
  const seen = new Set<number>();
  let tradesDelivered = 0;
  let tradesMissed = 0;
  let tradesRepeated = 0;
  let bookU: number | undefined;
  let bookBreaks = 0;
  const subscriptions = [
    connection.channel$<{ t: number }>(TRADES).subscribe((trade) => {
      tradesDelivered += 1;
      if (seen.has(trade.t)) tradesRepeated += 1;
      else if (lastTrade !== undefined && trade.t !== lastTrade + 1) tradesMissed += trade.t - lastTrade - 1;
      seen.add(trade.t);
      lastTrade = Math.max(lastTrade ?? trade.t, trade.t);
    }),
    connection.channel$(TICKER).subscribe(() => undefined),
    connection.channel$<BinanceBookMessage>(BOOK).subscribe((message) => {
      if (message.e === 'depthUpdate' && bookU !== undefined && message.U - 1 !== bookU) bookBreaks += 1;
      bookU = message.u;
    }),
  ];
  const pump = setInterval(() => {
    for (const stream of [TRADES, TICKER, BOOK]) exchange.publish('spot', stream);
  }, 2);
  const durations: number[] = [];
  let completed = 0;
  let forcedChannels = 0;
  try {
    connection.start();
    await connection.whenReady(10_000);
    await exchange.waitFor(() => tradesDelivered > 100 && bookU !== undefined, 10_000);
    for (let i = 0; i < rotations; i += 1) {
      const outcome = await connection.rotate('bench');
      if (outcome.outcome === 'completed') completed += 1;
      durations.push(outcome.durationMs);
      forcedChannels += outcome.channels.forced;
      // Let the old socket drain and close before the next one.
      await exchange.waitFor(() => exchange.connections().length === 1, 10_000);
      const target = tradesDelivered + 100;
      await exchange.waitFor(() => tradesDelivered >= target, 10_000);
    }
  } finally {
    clearInterval(pump);
    for (const s of subscriptions) s.unsubscribe();
    await connection.close();
    await exchange.stop();
  }
  return {
    rotations,
    completed,
    durationMedianMs: median(durations),
    durationMaxMs: Math.max(...durations),
    tradesDelivered,
    tradesMissed,
    tradesRepeated,
    bookBreaks,
    forcedChannels,
  };
}

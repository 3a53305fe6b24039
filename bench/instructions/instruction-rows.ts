/**
 * The rows of `npm run bench:instructions`: a venue's stream as its wall-clock row consumes it
 * (the same `StreamVenue`: raw `ws` client and supervised `channel$`), with its test exchange
 * in-process, since only the probe's own frame feed is counted.
 */
import { BinanceTestExchange, BybitTestExchange } from '@exchange-connection/testkit';
import { BINANCE } from '../binance/binance-stream.js';
import { BYBIT } from '../bybit/bybit-stream.js';
import { recordFrames } from '../support/consumer-paths.js';
import type { StreamVenue } from '../support/paired-stream.js';

export interface InstructionRow<U = unknown> {
  /** Row name on the command line and in the output ("binance"). */
  name: string;
  stream: string;
  venue: StreamVenue<U, never>;
  /** Target of supervised ÷ raw (the wall-clock row's). */
  target: number;
  /** Starts the exchange; `frames` records `count` of the stream's frames as the exchange sends them. */
  start(): Promise<{ urls: U; frames(count: number): Promise<Buffer[]>; stop(): Promise<void> }>;
}

const binance: InstructionRow = {
  name: 'binance',
  stream: 'btcusdt@trade',
  venue: BINANCE as StreamVenue<unknown, never>,
  target: 1.1,
  async start() {
    const exchange = await BinanceTestExchange.start({
      port: 0,
      seed: 3,
      feedIntervalMs: 0,
      symbols: { spot: ['BTCUSDT'] },
      connectionLimit: false,
    });
    const urls = exchange.urls;
    return {
      urls,
      frames: (count) =>
        recordFrames(urls.spotCombined, count, {
          subscribe: BINANCE.subscribeFrame('btcusdt@trade'),
          keep: (raw) => raw.includes('"stream":"btcusdt@trade"'),
          // The subscribe acknowledgement: the stream is live, so the exchange can publish.
          other: () => void exchange.publish('spot', 'btcusdt@trade', count),
        }),
      stop: () => exchange.stop(),
    };
  },
};

const bybit: InstructionRow = {
  name: 'bybit',
  stream: 'tickers.BTCUSDT',
  venue: BYBIT as StreamVenue<unknown, never>,
  target: 1.1,
  async start() {
    const exchange = await BybitTestExchange.start({
      port: 0,
      seed: 3,
      feedIntervalMs: 0,
      level1ResnapshotMs: 0,
      symbols: { linear: ['BTCUSDT'] },
      connectionLimit: false,
    });
    const urls = { spot: exchange.url('spot'), linear: exchange.url('linear'), private: exchange.url('private') };
    return {
      urls,
      frames: (count) =>
        recordFrames(urls.linear, count, {
          subscribe: BYBIT.subscribeFrame('tickers.BTCUSDT'),
          // Deltas only: the steady state of a stream (a snapshot comes once per subscription).
          keep: (raw) => raw.includes('"topic":"tickers.BTCUSDT"') && raw.includes('"delta"'),
          other: () => void exchange.publish('linear', 'tickers.BTCUSDT', count + 10),
        }),
      stop: () => exchange.stop(),
    };
  },
};

export const INSTRUCTION_ROWS: readonly InstructionRow[] = [binance, bybit];

/**
 * The rows of `npm run bench:instructions`: a venue's stream as its wall-clock row consumes it
 * (the same `StreamVenue`: raw `ws` client and supervised `channel$`), with its test exchange
 * in-process, since only the probe's own frame feed is counted.
 */
import { DeribitAdapter, SupervisedConnection } from '@exchange-connection/core';
import { BinanceTestExchange, BybitTestExchange, TestExchange } from '@exchange-connection/testkit';
import { BINANCE } from '../binance/binance-stream.js';
import { BYBIT } from '../bybit/bybit-stream.js';
import { recordFrames } from '../support/consumer-paths.js';
import type { StreamVenue } from '../support/paired-stream.js';
import { silentLogger } from '../support/silent-logger.js';
import { SUBSCRIBE_TICKER, TICKER } from '../throughput.js';

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

/** Deribit's ticker as the throughput and frame-path rows consume it (their target: ≥ 0.95× of raw's rate). */
const DERIBIT: StreamVenue<{ url: string }, { timestamp?: unknown }> = {
  label: 'deribit',
  url: (urls) => urls.url,
  subscribeFrame: () => SUBSCRIBE_TICKER,
  rawListener: (stream, sink, subscribed) => (raw: Buffer) => {
    const frame = JSON.parse(raw.toString('utf8')) as {
      id?: number;
      method?: string;
      params?: { channel?: string; data?: unknown };
    };
    if (frame.method === 'subscription' && frame.params?.channel === stream) DERIBIT.consume(sink, frame.params.data as never);
    else if (frame.id === 1) subscribed();
  },
  connection: (urls) =>
    new SupervisedConnection({ name: 'bench', url: urls.url, venue: new DeribitAdapter(), logger: silentLogger() }),
  consume: (sink, data) => {
    if (data.timestamp === undefined) return;
    sink.count += 1;
    if (sink.count === sink.target) sink.onTarget?.();
  },
};

const deribit: InstructionRow = {
  name: 'deribit',
  stream: TICKER,
  venue: DERIBIT as StreamVenue<unknown, never>,
  // ≥ 0.95× of raw's rate is at most 1/0.95 of raw's work per frame.
  target: 1 / 0.95,
  async start() {
    const exchange = await TestExchange.start({ port: 0, seed: 3, feedIntervalMs: 0 });
    return {
      urls: { url: exchange.url },
      frames: (count) =>
        recordFrames(exchange.url, count, {
          subscribe: SUBSCRIBE_TICKER,
          keep: (raw) => raw.includes('"subscription"'),
          // The subscribe acknowledgement: the channel is live, so the exchange can publish.
          other: () => void exchange.publish(TICKER, count),
        }),
      stop: () => exchange.stop(),
    };
  },
};

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

export const INSTRUCTION_ROWS: readonly InstructionRow[] = [deribit, binance, bybit];

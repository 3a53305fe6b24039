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

/** A row's running test exchange. */
interface RowExchange<U> {
  urls: U;
  /** Has the exchange send `count` (or more) of the row's stream. */
  publish(count: number): unknown;
  stop(): Promise<void>;
}

export interface InstructionRow<U = unknown> {
  /** Row name on the command line and in the output ("binance"). */
  name: string;
  stream: string;
  venue: StreamVenue<U, never>;
  /** Target of supervised ÷ raw (the wall-clock row's). */
  target: number;
  /** Which recorded frames are the stream's steady state. */
  keep(raw: Buffer): boolean;
  start(): Promise<RowExchange<U>>;
}

/**
 * `count` of the row's frames as its exchange sends them: the venue's own subscribe request, and
 * at its acknowledgement (the first frame not kept: the stream is live) the exchange publishes.
 */
export function recordRowFrames<U>(row: InstructionRow<U>, exchange: RowExchange<U>, count: number): Promise<Buffer[]> {
  return recordFrames(row.venue.url(exchange.urls), count, {
    subscribe: row.venue.subscribeFrame(row.stream),
    keep: row.keep,
    other: () => void exchange.publish(count),
  });
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
  keep: (raw) => raw.includes('"subscription"'),
  async start() {
    const exchange = await TestExchange.start({ port: 0, seed: 3, feedIntervalMs: 0 });
    return { urls: { url: exchange.url }, publish: (count) => exchange.publish(TICKER, count), stop: () => exchange.stop() };
  },
};

const binance: InstructionRow = {
  name: 'binance',
  stream: 'btcusdt@trade',
  venue: BINANCE as StreamVenue<unknown, never>,
  target: 1.1,
  keep: (raw) => raw.includes('"stream":"btcusdt@trade"'),
  async start() {
    const exchange = await BinanceTestExchange.start({
      port: 0,
      seed: 3,
      feedIntervalMs: 0,
      symbols: { spot: ['BTCUSDT'] },
      connectionLimit: false,
    });
    return {
      urls: exchange.urls,
      publish: (count) => exchange.publish('spot', 'btcusdt@trade', count),
      stop: () => exchange.stop(),
    };
  },
};

const bybit: InstructionRow = {
  name: 'bybit',
  stream: 'tickers.BTCUSDT',
  venue: BYBIT as StreamVenue<unknown, never>,
  target: 1.1,
  // Deltas only: the steady state of a stream (a snapshot comes once per subscription).
  keep: (raw) => raw.includes('"topic":"tickers.BTCUSDT"') && raw.includes('"delta"'),
  async start() {
    const exchange = await BybitTestExchange.start({
      port: 0,
      seed: 3,
      feedIntervalMs: 0,
      level1ResnapshotMs: 0,
      symbols: { linear: ['BTCUSDT'] },
      connectionLimit: false,
    });
    return {
      urls: { spot: exchange.url('spot'), linear: exchange.url('linear'), private: exchange.url('private') },
      // The acknowledgement and the subscription's snapshot both ask: some to spare.
      publish: (count) => exchange.publish('linear', 'tickers.BTCUSDT', count + 10),
      stop: () => exchange.stop(),
    };
  },
};

export const INSTRUCTION_ROWS: readonly InstructionRow[] = [deribit, binance, bybit];

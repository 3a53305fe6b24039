/**
 * The Binance row: one spot stream (`btcusdt@trade`) consumed raw on the combined path
 * (`JSON.parse` and a stream check, the floor) and by a supervised `channel$` consumer over the
 * BinanceAdapter (its frames paced, its pongs through the limiter), measured as the Bybit row's
 * backlog runs (support/paired-stream.ts).
 */
import { BinanceAdapter, SupervisedConnection } from '@exchange-connection/core';
import type { Sink } from '../support/consumer-paths.js';
import { measureBacklog, type PairedResult, type StreamVenue } from '../support/paired-stream.js';
import { silentLogger } from '../support/silent-logger.js';
import type { RemoteBinance, RemoteBinanceUrls } from './remote-binance.js';

/** What both paths do with a message: look at it (as a consumer would) and count it. */
function consume(sink: Sink, event: { e?: unknown }): void {
  if (event.e === undefined) return;
  sink.count += 1;
  if (sink.count === sink.target) sink.onTarget?.();
}

export const BINANCE: StreamVenue<RemoteBinanceUrls, { e?: unknown }> = {
  label: 'binance',
  url: (urls) => urls.spotCombined,
  subscribeFrame: (stream) => ({ method: 'SUBSCRIBE', params: [stream], id: 1 }),
  rawListener: (stream, sink, subscribed) => (raw: Buffer) => {
    const frame = JSON.parse(raw.toString('utf8')) as { stream?: string; data?: { e?: unknown }; id?: number };
    if (frame.stream === stream && frame.data !== undefined) consume(sink, frame.data);
    else if (frame.id === 1) subscribed();
  },
  connection: (urls) =>
    new SupervisedConnection({
      name: 'bench-binance',
      url: urls.spotCombined,
      venue: new BinanceAdapter({ market: 'spot', restUrl: urls.rest }),
      logger: silentLogger(),
    }),
  consume,
};

export interface BinanceStreamResult extends PairedResult {
  stream: string;
}

export async function measureBinanceStream(
  remote: RemoteBinance,
  options: { stream?: string; repeats: number; messages: number; log?: (line: string) => void },
): Promise<BinanceStreamResult> {
  const stream = options.stream ?? 'btcusdt@trade';
  return { stream, ...(await measureBacklog(BINANCE, remote, stream, options)) };
}

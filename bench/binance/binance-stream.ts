/**
 * The Binance row: one spot stream (`btcusdt@trade`) consumed raw on the combined path
 * (`JSON.parse` and a stream check, the floor) and by a supervised `channel$` consumer over the
 * BinanceAdapter (its frames paced, its pongs through the limiter), measured as the Bybit row is
 * (support/paired-stream.ts): loopback backlog runs, and recorded frames on the in-process frame path.
 */
import { BinanceAdapter, SupervisedConnection } from '@exchange-connection/core';
import { recordFrames, type Sink } from '../support/consumer-paths.js';
import { measureBacklog, measureFrames, type PairedResult, type StreamVenue } from '../support/paired-stream.js';
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

export interface BinanceStreamResult {
  stream: string;
  /** Median CPU/message over rounds, µs: loopback backlog runs. */
  backlog: PairedResult;
  /** Median CPU/frame over rounds, ns: in-process frame path. */
  frames: PairedResult;
}

export async function measureBinanceStream(
  remote: RemoteBinance,
  options: { stream?: string; repeats: number; messages: number; frameRounds?: number; log?: (line: string) => void },
): Promise<BinanceStreamResult> {
  const stream = options.stream ?? 'btcusdt@trade';
  const backlog = await measureBacklog(BINANCE, remote, stream, options);
  const recorded = await recordFrames(BINANCE.url(remote.urls), 1_000, {
    subscribe: BINANCE.subscribeFrame(stream),
    keep: (raw) => raw.includes(`"stream":"${stream}"`),
    publish: () => remote.burst(stream, 1_010, 500),
  });
  const frames = await measureFrames(BINANCE, remote.urls, stream, recorded, {
    frames: 40_000,
    rounds: options.frameRounds ?? 25,
    log: options.log,
  });
  return { stream, backlog, frames };
}

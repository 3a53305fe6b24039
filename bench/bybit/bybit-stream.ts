/**
 * The Bybit row: one Bybit linear topic consumed raw (`JSON.parse` and a topic check, the floor)
 * and by a supervised `channel$` consumer over the BybitAdapter, measured by
 * support/paired-stream.ts twice: loopback backlog and the in-process frame path.
 */
import { BybitAdapter, SupervisedConnection } from '@exchange-connection/core';
import { recordFrames, type Sink } from '../support/consumer-paths.js';
import { measureBacklog, measureFrames, type PairedResult, type StreamVenue } from '../support/paired-stream.js';
import { silentLogger } from '../support/silent-logger.js';
import type { BybitUrls, RemoteBybit } from './remote-bybit.js';

/** What both paths do with a message: look at it (as a consumer would) and count it. */
function consume(sink: Sink, message: { topic?: unknown }): void {
  if (message.topic === undefined) return;
  sink.count += 1;
  if (sink.count === sink.target) sink.onTarget?.();
}

const subscribeFrame = (topic: string) => ({ req_id: '1', op: 'subscribe', args: [topic] });

export const BYBIT: StreamVenue<BybitUrls, { topic?: unknown }> = {
  label: 'bybit',
  url: (urls) => urls.linear,
  subscribeFrame,
  rawListener: (topic, sink, subscribed) => (raw: Buffer) => {
    const frame = JSON.parse(raw.toString('utf8')) as { topic?: string; op?: string };
    if (frame.topic === topic) consume(sink, frame);
    else if (frame.op === 'subscribe') subscribed();
  },
  connection: (urls) =>
    new SupervisedConnection({
      name: 'bench-bybit',
      url: urls.linear,
      venue: new BybitAdapter({ market: 'linear' }),
      logger: silentLogger(),
    }),
  consume,
};

export interface BybitStreamResult {
  topic: string;
  /** Median CPU/message over rounds, µs: loopback backlog runs. */
  backlog: PairedResult;
  /** Median CPU/frame over rounds, ns: in-process frame path. */
  frames: PairedResult;
}

export interface BybitStreamOptions {
  topic: string;
  /** Backlog rounds (each runs both paths, order alternating). */
  repeats: number;
  messages: number;
  /** Frame-path rounds and frames per run. */
  frameRounds?: number;
  frames?: number;
  log?: (line: string) => void;
}

/** `count` delta frames of `topic` as the exchange sends them. */
function recordDeltas(remote: RemoteBybit, topic: string, count: number): Promise<Buffer[]> {
  return recordFrames(remote.urls.linear, count, {
    subscribe: subscribeFrame(topic),
    // Deltas only: the steady state of a stream (a snapshot comes once per subscription).
    keep: (raw) => raw.includes(`"topic":"${topic}"`) && raw.includes('"delta"'),
    publish: () => remote.burst(topic, count + 10, 500),
  });
}

export async function measureBybitStream(remote: RemoteBybit, options: BybitStreamOptions): Promise<BybitStreamResult> {
  const { topic, log } = options;
  const backlog = await measureBacklog(BYBIT, remote, topic, { repeats: options.repeats, messages: options.messages, log });
  // Frame path: the consumer never sees a book frame out of order, so only non-book topics replay
  // recorded frames as they are; a book topic would need its u chain.
  const frameTopic = topic.startsWith('orderbook.') ? topic.replace(/^orderbook\.\d+\./, 'tickers.') : topic;
  const recorded = await recordDeltas(remote, frameTopic, 1_000);
  const frames = await measureFrames(BYBIT, remote.urls, frameTopic, recorded, {
    frames: options.frames ?? 40_000,
    rounds: options.frameRounds ?? 25,
    log,
  });
  return { topic, backlog, frames };
}

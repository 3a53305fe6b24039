/**
 * The same ticker stream, from a test exchange in another process, consumed three ways: a raw `ws`
 * client + JSON.parse (the floor), ExchangeClient `notification` events, and a supervised
 * `channel$` consumer. Phases run one path at a time, alternating, repeated; medians are reported.
 */
import { DeribitAdapter, ExchangeClient, SupervisedConnection } from '@exchange-connection/core';
import {
  clientSocket,
  openRawPath,
  openSupervisedPath,
  reach,
  type ConsumerPath as BaseConsumerPath,
  type Sink as BaseSink,
} from './support/consumer-paths.js';
import type { RemoteExchanges } from './support/remote-exchange.js';
import { monotonicMs } from './support/exchange-host-protocol.js';
import { collectYoungGarbage } from './support/gc.js';
import { silentLogger } from './support/silent-logger.js';
import { median, percentile } from './support/stats.js';

export const TICKER = 'ticker.BTC-PERPETUAL.100ms';

export type PathName = 'raw-ws' | 'exchange-client' | 'supervised';

/** A path's sink; `latencies`, when set, collects one-way latencies. */
export interface Sink extends BaseSink {
  latencies: number[] | undefined;
}

export type ConsumerPath = BaseConsumerPath<PathName>;

export function newSink(): Sink {
  return { count: 0, latencies: undefined, target: Infinity, onTarget: undefined };
}

/** What every path does with a ticker: count it and, when asked, record its one-way latency. */
function consume(sink: Sink, data: unknown): void {
  if (sink.latencies !== undefined) {
    const stamp = (data as { timestamp?: unknown }).timestamp;
    if (typeof stamp === 'number') sink.latencies.push(monotonicMs() - stamp);
  }
  sink.count += 1;
  if (sink.count === sink.target) sink.onTarget?.();
}

/** The raw client's subscribe request for TICKER. */
export const SUBSCRIBE_TICKER = { jsonrpc: '2.0', id: 1, method: 'public/subscribe', params: { channels: [TICKER] } };

function openRaw(url: string, sink: Sink): Promise<ConsumerPath> {
  return openRawPath(url, SUBSCRIBE_TICKER, (subscribed) => (raw: Buffer) => {
    const frame = JSON.parse(raw.toString('utf8')) as { id?: number; method?: string; params?: { data?: unknown } };
    if (frame.method === 'subscription') consume(sink, frame.params?.data);
    else if (frame.id === 1) subscribed();
  });
}

async function openClient(url: string, sink: Sink): Promise<ConsumerPath> {
  const client = new ExchangeClient({ url, name: 'bench', logger: silentLogger() });
  client.on('notification', (notification) => {
    if (notification.method === 'subscription') consume(sink, (notification.params as { data?: unknown }).data);
  });
  await client.connect();
  await client.request('public/subscribe', { channels: [TICKER] });
  return { name: 'exchange-client', socket: () => clientSocket(client), close: () => client.close() };
}

function openSupervised(url: string, sink: Sink): Promise<ConsumerPath> {
  const connection = new SupervisedConnection({ name: 'bench', url, venue: new DeribitAdapter(), logger: silentLogger() });
  const subscription = connection.channel$(TICKER).subscribe((data) => consume(sink, data));
  return openSupervisedPath(connection, subscription);
}

/** Opens a subscribed consumer of TICKER on `path`; every ticker it receives goes to `sink`. */
export const OPENERS: Record<PathName, (url: string, sink: Sink) => Promise<ConsumerPath>> = {
  'raw-ws': openRaw,
  'exchange-client': openClient,
  supervised: openSupervised,
};

export interface ThroughputRun {
  path: PathName;
  messages: number;
  msgsPerSec: number;
  cpuUsPerMsg: number;
}

export interface LatencyRun {
  path: PathName;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU of this process per message at 1 message/ms: every message pays its own wake-up and read. */
  cpuUsPerMsg: number;
}

export async function throughputRun(remote: RemoteExchanges, path: PathName, messages: number): Promise<ThroughputRun> {
  const sink = newSink();
  const consumer = await OPENERS[path](remote.urls[0] as string, sink);
  try {
    // Warm-up: JIT and buffers, not measured.
    await remote.send({ op: 'burst', channel: TICKER, total: 5_000, burst: 500 });
    await reach(sink, 5_000, 30_000);
    // The exchange queues the whole run while this side does not read; then reading starts and
    // the consumer, not the exchange's generator, sets the pace (the exchange only flushes).
    const socket = consumer.socket();
    socket.pause();
    const base = sink.count;
    await remote.send({ op: 'burst', channel: TICKER, total: messages, burst: 1_000 });
    collectYoungGarbage();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    socket.resume();
    await reach(sink, base + messages, 120_000);
    const elapsedMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return {
      path,
      messages,
      msgsPerSec: messages / (elapsedMs / 1000),
      cpuUsPerMsg: (cpu.user + cpu.system) / messages,
    };
  } finally {
    await consumer.close();
  }
}

async function latencyRun(remote: RemoteExchanges, path: PathName, ticks: number): Promise<LatencyRun> {
  const sink = newSink();
  const consumer = await OPENERS[path](remote.urls[0] as string, sink);
  try {
    await remote.send({ op: 'paced', channel: TICKER, perTick: 1, intervalMs: 1, ticks: 200 });
    await reach(sink, 200, 30_000);
    sink.latencies = [];
    const base = sink.count;
    const cpu0 = process.cpuUsage();
    await remote.send({ op: 'paced', channel: TICKER, perTick: 1, intervalMs: 1, ticks });
    await reach(sink, base + ticks, 30_000);
    const cpu = process.cpuUsage(cpu0);
    const latencies = sink.latencies;
    return {
      path,
      samples: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      cpuUsPerMsg: (cpu.user + cpu.system) / ticks,
    };
  } finally {
    await consumer.close();
  }
}

export interface PathSummary {
  path: PathName;
  msgsPerSec: number;
  cpuUsPerMsg: number;
  cpuUsPerMsgPaced: number;
  p50Ms: number;
  p99Ms: number;
  runs: { throughput: ThroughputRun[]; latency: LatencyRun[] };
}

export interface ThroughputOptions {
  repeats: number;
  messages: number;
  latencyTicks: number;
  log?: (line: string) => void;
}

/** Runs every path `repeats` times in rotating order (raw, client, supervised; then client, supervised, raw; …). */
export async function measureThroughput(remote: RemoteExchanges, options: ThroughputOptions): Promise<PathSummary[]> {
  const paths: PathName[] = ['raw-ws', 'exchange-client', 'supervised'];
  const throughput = new Map<PathName, ThroughputRun[]>(paths.map((p) => [p, []]));
  const latency = new Map<PathName, LatencyRun[]>(paths.map((p) => [p, []]));
  for (let round = 0; round < options.repeats; round += 1) {
    const order = paths.map((_, i) => paths[(i + round) % paths.length] as PathName);
    for (const path of order) {
      const run = await throughputRun(remote, path, options.messages);
      throughput.get(path)?.push(run);
      options.log?.(`  throughput ${path}: ${Math.round(run.msgsPerSec)} msg/s, ${run.cpuUsPerMsg.toFixed(2)} µs CPU/msg`);
    }
    for (const path of order) {
      const run = await latencyRun(remote, path, options.latencyTicks);
      latency.get(path)?.push(run);
      options.log?.(
        `  latency ${path}: p50 ${run.p50Ms.toFixed(3)} ms, p99 ${run.p99Ms.toFixed(3)} ms (${run.samples} samples), ${run.cpuUsPerMsg.toFixed(2)} µs CPU/msg`,
      );
    }
  }
  return paths.map((path) => {
    const t = throughput.get(path) ?? [];
    const l = latency.get(path) ?? [];
    return {
      path,
      msgsPerSec: median(t.map((r) => r.msgsPerSec)),
      cpuUsPerMsg: median(t.map((r) => r.cpuUsPerMsg)),
      cpuUsPerMsgPaced: median(l.map((r) => r.cpuUsPerMsg)),
      p50Ms: median(l.map((r) => r.p50Ms)),
      p99Ms: median(l.map((r) => r.p99Ms)),
      runs: { throughput: t, latency: l },
    };
  });
}

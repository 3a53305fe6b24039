/**
 * The library's cost per frame, without the network: the same recorded ticker frames are handed
 * to each path's own `ws` 'message' listener (raw JSON.parse, ExchangeClient, supervised channel$),
 * in-process, with no socket read, no ws framing and no other process in the measured loop. The
 * loopback throughput runs are dominated by those (±30 % run to run on a shared VM); this
 * isolates the part the library adds, which is what the ≥ 0.95× target is about.
 */
import { TestExchange } from '@exchange-connection/testkit';
import { emitFrames, recordFrames } from './support/consumer-paths.js';
import { median } from './support/stats.js';
import { OPENERS, SUBSCRIBE_TICKER, TICKER, newSink, type ConsumerPath, type PathName, type Sink } from './throughput.js';

/** A consumer path (the same three the loopback runs use) and the sink counting what it delivered. */
interface FramePath {
  readonly consumer: ConsumerPath;
  readonly sink: Sink;
}

export interface FramePathSummary {
  path: PathName;
  /** Median over rounds: CPU (user + system) per frame, ns. */
  cpuNsPerFrame: number;
  /** Median over rounds: wall time per frame, ns. */
  wallNsPerFrame: number;
  rounds: number[];
}

export interface FramePathResult {
  frames: number;
  paths: FramePathSummary[];
  /** Median over rounds of (path − raw) CPU per frame, paired within each round, ns. */
  addedNs: { client: number; supervised: number };
}

/** `count` ticker frames exactly as the exchange sends them (text frames, as ws hands them over). */
function recordTickers(exchange: TestExchange, count: number): Promise<Buffer[]> {
  return recordFrames(exchange.url, count, {
    subscribe: SUBSCRIBE_TICKER,
    keep: (raw) => raw.includes('"subscription"'),
    // The subscribe acknowledgement: the channel is live, so the exchange can publish.
    other: () => exchange.publish(TICKER, count),
  });
}

/** Emits `total` frames on the path's socket (support/consumer-paths.ts: 100 per event-loop turn). */
const feed = (path: FramePath, frames: readonly Buffer[], total: number) => emitFrames(path.consumer, path.sink, frames, total);

export interface FramePathOptions {
  /** Frames per measured run (default 40,000: short runs, so a round's paths see the same machine). */
  frames?: number;
  /** Rounds, path order rotating each round (default 25). */
  rounds?: number;
  /** Frames fed to each path before measuring, for the JIT and inline caches (default 100,000). */
  warmUpFrames?: number;
  log?: (line: string) => void;
}

export async function measureFramePath(options: FramePathOptions = {}): Promise<FramePathResult> {
  const total = options.frames ?? 40_000;
  const rounds = options.rounds ?? 25;
  // No feed timer and no Deribit heartbeat traffic: nothing but the emitted frames reaches a path.
  const exchange = await TestExchange.start({ port: 0, feedIntervalMs: 0, seed: 7 });
  const opened: FramePath[] = [];
  try {
    const frames = await recordTickers(exchange, 1_000);
    const names: PathName[] = ['raw-ws', 'exchange-client', 'supervised'];
    for (const name of names) {
      const sink = newSink();
      opened.push({ consumer: await OPENERS[name](exchange.url, sink), sink });
    }
    for (const path of opened) await feed(path, frames, options.warmUpFrames ?? 100_000);
    const cpu = new Map<PathName, number[]>(names.map((n) => [n, []]));
    const wall = new Map<PathName, number[]>(names.map((n) => [n, []]));
    for (let round = 0; round < rounds; round += 1) {
      for (let i = 0; i < opened.length; i += 1) {
        const path = opened[(i + round) % opened.length] as FramePath;
        const run = await feed(path, frames, total);
        cpu.get(path.consumer.name)?.push(run.cpuNs / total);
        wall.get(path.consumer.name)?.push(run.wallNs / total);
      }
      options.log?.(
        `  frame path round ${round + 1}: ` +
          names.map((n) => `${n} ${Math.round(cpu.get(n)?.at(-1) ?? Number.NaN)} ns`).join(', '),
      );
    }
    const paired = (name: PathName): number => {
      const base = cpu.get('raw-ws') ?? [];
      return median((cpu.get(name) ?? []).map((v, i) => v - (base[i] ?? Number.NaN)));
    };
    return {
      frames: total,
      paths: names.map((path) => ({
        path,
        cpuNsPerFrame: median(cpu.get(path) ?? []),
        wallNsPerFrame: median(wall.get(path) ?? []),
        rounds: cpu.get(path) ?? [],
      })),
      addedNs: { client: paired('exchange-client'), supervised: paired('supervised') },
    };
  } finally {
    await Promise.all(opened.map((p) => p.consumer.close()));
    await exchange.stop();
  }
}

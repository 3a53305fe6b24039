/**
 * `npm run bench`: every measurement in one run, printed as a table (metric | value | target |
 * pass/miss) with the machine, and written to bench/results/latest.json. Knobs (env):
 * BENCH_REPEATS (3), BENCH_MESSAGES (100000), BENCH_LATENCY_TICKS (2000), BENCH_FLEET (1000),
 * BENCH_STORM_WINDOW_MS (5000).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { measureDeadSocket } from './dead-socket.js';
import { measureFleet } from './fleet.js';
import { measureFramePath, type FramePathSummary } from './frame-path.js';
import { measureRestore } from './restore.js';
import { machineInfo } from './support/machine-info.js';
import { RemoteExchanges } from './support/remote-exchange.js';
import { median, round } from './support/stats.js';
import { measureThroughput, type PathName, type PathSummary } from './throughput.js';
import { measureBybitRestore } from './bybit/bybit-restore.js';
import { measureBybitStream } from './bybit/bybit-stream.js';
import { BENCH_SYMBOLS } from './bybit/bybit-symbols.js';
import { startRemoteBybit } from './bybit/remote-bybit.js';
import { BINANCE_RESTORE_PLANS } from './binance/binance-plans.js';
import { measureBinanceRestore, type BinanceRestoreResult } from './binance/binance-restore.js';
import { measureBinanceRotation } from './binance/binance-rotation.js';
import { measureBinanceStream } from './binance/binance-stream.js';
import { startRemoteBinance } from './binance/remote-binance.js';
import { measureNats, type NatsBenchResult } from './nats/nats-bench.js';

interface Row {
  metric: string;
  value: string;
  target: string;
  pass?: boolean;
}

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const repeats = env('BENCH_REPEATS', 3);
const messages = env('BENCH_MESSAGES', 100_000);
const latencyTicks = env('BENCH_LATENCY_TICKS', 2_000);
const fleetSize = env('BENCH_FLEET', 1_000);
const stormWindowMs = env('BENCH_STORM_WINDOW_MS', 5_000);
const log = (line: string): void => console.log(line);

const machine = machineInfo();
log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}, ${machine.platform}`);
const started = performance.now();

log('throughput and latency (test exchange in a child process, one path at a time)…');
const streamHost = await RemoteExchanges.start({ exchanges: 1, monotonicTimestamps: true });
let paths: PathSummary[];
try {
  paths = await measureThroughput(streamHost, { repeats, messages, latencyTicks, log });
} finally {
  await streamHost.stop();
}
const byPath = (name: PathName): PathSummary => paths.find((p) => p.path === name) as PathSummary;
const raw = byPath('raw-ws');
const client = byPath('exchange-client');
const sup = byPath('supervised');

log("frame path in-process (recorded frames emitted on each path's socket; no network)…");
const framePath = await measureFramePath({ log });
const frameOf = (name: PathName): FramePathSummary => framePath.paths.find((p) => p.path === name) as FramePathSummary;
// What the loopback ratio would be if only the library's added work differed between paths:
// the raw path's whole cost per message (socket read, ws framing, parse) vs that plus the added work.
const impliedSupervised = raw.cpuUsPerMsg / (raw.cpuUsPerMsg + framePath.addedNs.supervised / 1000);

log('Bybit: one topic stream, raw ws + JSON.parse vs supervised channel$, interleaved…');
const bybitHost = await startRemoteBybit(BENCH_SYMBOLS);
let bybit;
try {
  bybit = await measureBybitStream(bybitHost, {
    topic: 'tickers.BTCUSDT',
    repeats: Math.max(5, repeats),
    messages: messages / 2,
    log,
  });
} finally {
  await bybitHost.stop();
}
log('Bybit: restore of 500 topics…');
const bybitRestore = await measureBybitRestore(500, 5);

log('Binance: one spot stream, raw ws + JSON.parse vs supervised channel$, interleaved…');
const binanceHost = await startRemoteBinance(['BTCUSDT', 'ETHUSDT']);
let binance;
try {
  binance = await measureBinanceStream(binanceHost, { repeats: Math.max(5, repeats), messages: messages / 2, log });
} finally {
  await binanceHost.stop();
}
log('Binance: restore of 1,000 streams against the 5 frames/s floor…');
const binanceRestores: BinanceRestoreResult[] = [];
for (const plan of BINANCE_RESTORE_PLANS) binanceRestores.push(await measureBinanceRestore(plan));
log('Binance: make-before-break rotation gap (5 rotations under a 2 ms feed)…');
const binanceRotation = await measureBinanceRotation(5);

// Replicas on NATS: needs a NATS server with JetStream (every machine of this project runs one);
// without one the rows say so instead of failing the whole bench.
const natsUrl = process.env['BENCH_NATS_URL'] ?? 'nats://127.0.0.1:4222';
let nats: NatsBenchResult | string;
try {
  nats = await measureNats({ natsUrl, ttlMs: 2_000, repeats: 3, messages: 2_000, log });
} catch (error) {
  nats = `skipped: no NATS with JetStream at ${natsUrl} (${error instanceof Error ? error.message : String(error)})`;
}

log('dead-socket detection (proxy black hole)…');
const dead = await measureDeadSocket(1_000, 5);
log('restore of 500 subscriptions…');
const restore = await measureRestore(500, 5);
log(`fleet of ${fleetSize} idle connections, sweep, reconnect storm…`);
const fleetHost = await RemoteExchanges.start({ exchanges: 2, minHeartbeatIntervalSec: 10 });
let fleet;
try {
  fleet = await measureFleet(fleetHost, { connections: fleetSize, windowMs: stormWindowMs, log });
} finally {
  await fleetHost.stop();
}
const storm = fleet.storm;

const k = (n: number) => `${Math.round(n / 1000)}k msg/s`;
const ms = (n: number, d = 2) => `${round(n, d)} ms`;
const rows: Row[] = [
  { metric: 'throughput raw ws + JSON.parse (baseline)', value: k(raw.msgsPerSec), target: '—' },
  {
    metric: 'throughput ExchangeClient (× baseline)',
    value: `${k(client.msgsPerSec)} (${round(client.msgsPerSec / raw.msgsPerSec)}×)`,
    target: '—',
  },
  {
    metric: 'throughput supervised channel$ (× baseline)',
    value: `${k(sup.msgsPerSec)} (${round(sup.msgsPerSec / raw.msgsPerSec)}×)`,
    target: '≥ 0.95×',
    pass: sup.msgsPerSec / raw.msgsPerSec >= 0.95,
  },
  {
    metric: 'CPU/msg, backlog: raw / client / supervised',
    value: `${round(raw.cpuUsPerMsg)} / ${round(client.cpuUsPerMsg)} / ${round(sup.cpuUsPerMsg)} µs`,
    target: '—',
  },
  {
    metric: 'frame path in-process, CPU/frame: raw / client / supervised',
    value: `${round(frameOf('raw-ws').cpuNsPerFrame, 0)} / ${round(frameOf('exchange-client').cpuNsPerFrame, 0)} / ${round(frameOf('supervised').cpuNsPerFrame, 0)} ns`,
    target: '—',
  },
  {
    metric: 'frame path: added over raw, client / supervised (paired)',
    value: `${round(framePath.addedNs.client, 0)} / ${round(framePath.addedNs.supervised, 0)} ns`,
    target: '—',
  },
  {
    metric: 'supervised throughput implied by the added work (× baseline)',
    value: `${round(impliedSupervised, 3)}×`,
    target: '≥ 0.95×',
    pass: impliedSupervised >= 0.95,
  },
  {
    metric: 'CPU/msg, paced 1/ms: raw / client / supervised',
    value: `${round(raw.cpuUsPerMsgPaced)} / ${round(client.cpuUsPerMsgPaced)} / ${round(sup.cpuUsPerMsgPaced)} µs`,
    target: 'floor 11–14 µs',
  },
  {
    metric: 'latency p50: raw / client / supervised',
    value: `${round(raw.p50Ms, 3)} / ${round(client.p50Ms, 3)} / ${round(sup.p50Ms, 3)} ms`,
    target: '—',
  },
  {
    metric: 'latency p99: raw / client / supervised',
    value: `${round(raw.p99Ms, 3)} / ${round(client.p99Ms, 3)} / ${round(sup.p99Ms, 3)} ms`,
    target: '—',
  },
  { metric: 'added latency p50 supervised − raw', value: `${round((sup.p50Ms - raw.p50Ms) * 1000, 1)} µs`, target: '—' },
  {
    metric: 'Bybit tickers, CPU/msg backlog: raw / supervised (× raw, paired median)',
    value: `${round(bybit.backlog.raw)} / ${round(bybit.backlog.supervised)} µs (${round(bybit.backlog.ratio, 3)}×)`,
    target: '≤ 1.10×',
    pass: bybit.backlog.ratio <= 1.1,
  },
  {
    metric: 'Bybit tickers, frame path in-process: raw / supervised (× raw)',
    value: `${round(bybit.frames.raw, 0)} / ${round(bybit.frames.supervised, 0)} ns (${round(bybit.frames.ratio, 3)}×)`,
    target: '—',
  },
  {
    metric: 'Bybit restore 500 topics (drop → ready)',
    value: `${ms(bybitRestore.dropToReadyMs, 1)} median, ${ms(bybitRestore.dropToReadyMaxMs, 1)} max, ${bybitRestore.subscribeOps} subscribe ops`,
    target: '< 1000 ms',
    pass: bybitRestore.dropToReadyMaxMs < 1_000 && bybitRestore.restoredTopics === 500,
  },
  {
    metric: 'Binance trades, CPU/msg backlog: raw / supervised (× raw, paired median)',
    value: `${round(binance.backlog.raw)} / ${round(binance.backlog.supervised)} µs (${round(binance.backlog.ratio, 3)}×)`,
    target: '≤ 1.10×',
    pass: binance.backlog.ratio <= 1.1,
  },
  {
    metric: 'Binance trades, frame path in-process: raw / supervised (× raw)',
    value: `${round(binance.frames.raw, 0)} / ${round(binance.frames.supervised, 0)} ns (${round(binance.frames.ratio, 3)}×)`,
    target: '—',
  },
  ...binanceRestores.map((r): Row => ({
    metric: `Binance restore ${r.streams} streams, ${r.shards} socket(s), ${r.streamsPerRequest}/SUBSCRIBE (drop → ready)`,
    value: `${ms(r.dropToReadyMs, 0)} median, ${ms(r.dropToReadyMaxMs, 0)} max; ${r.subscribeCalls} SUBSCRIBEs; peak ${r.peakFramesPerSecond} frames/s`,
    target: `floor ${ms(r.floorMs, 0)}; ≤ 5 frames/s`,
    pass: r.peakFramesPerSecond <= 5 && r.rateCloses === 0,
  })),
  {
    metric: `Binance rotation gap, ${binanceRotation.rotations} rotations (trades missed / repeated, book breaks)`,
    value: `${binanceRotation.tradesMissed} / ${binanceRotation.tradesRepeated}, ${binanceRotation.bookBreaks}; ${binanceRotation.completed} completed in ${ms(binanceRotation.durationMedianMs, 0)} median`,
    target: 'none',
    pass:
      binanceRotation.tradesMissed === 0 &&
      binanceRotation.tradesRepeated === 0 &&
      binanceRotation.bookBreaks === 0 &&
      binanceRotation.completed === binanceRotation.rotations,
  },
  ...natsRows(nats),
  {
    metric: `dead-socket detection (bound ${dead.boundMs} ms)`,
    value: `${ms(dead.silenceMaxMs, 1)} max silence (${round(dead.ratio, 3)}×)`,
    target: '≤ 1.1×',
    pass: dead.ratio <= 1.1,
  },
  {
    metric: 'restore 500 subscriptions (drop → ready)',
    value: `${ms(restore.dropToReadyMs, 1)} median, ${ms(restore.dropToReadyMaxMs, 1)} max`,
    target: '< 1000 ms',
    pass: restore.dropToReadyMaxMs < 1_000 && restore.restoredChannels === 500,
  },
  {
    metric: 'subscribe calls per 500-channel restore',
    value: String(restore.subscribeCalls),
    target: '≤ 3',
    pass: restore.subscribeCalls <= 3,
  },
  {
    metric: `memory, ${fleet.connections} idle supervised connections (RSS Δ after GC)`,
    value: `${round(fleet.rssDeltaMb, 1)} MB (${round(fleet.rssPerConnectionKb, 1)} KB each; heap ${round(fleet.heapPerConnectionKb, 1)} KB)`,
    target: '< 200 MB (floor ≈ 28 KB each)',
    pass: fleet.rssDeltaMb * (1000 / fleet.connections) < 200,
  },
  {
    metric: `sweep over ${fleet.connections} connections (median / p99 / max)`,
    value: `${round(fleet.sweepMedianMs, 3)} / ${round(fleet.sweepP99Ms, 3)} / ${round(fleet.sweepMaxMs, 3)} ms`,
    target: '< 5 ms',
    pass: fleet.sweepP99Ms < 5,
  },
  {
    metric: `storm ${storm.connections}: first attempts p5–p95 span (window ${storm.windowMs} ms)`,
    value: `${round(storm.attempts.spanP5P95 * 100, 1)} % (p10–p90 ${round(storm.attempts.spanP10P90 * 100, 1)} %)`,
    target: '≥ 80 %',
    pass: storm.attempts.spanP5P95 >= 0.8,
  },
  {
    metric: 'storm: largest of 10 buckets / mean',
    value: `${round(storm.attempts.maxBucketOverMean)} [${storm.attempts.buckets.join(' ')}]`,
    target: '≤ 3',
    pass: storm.attempts.maxBucketOverMean <= 3,
  },
  { metric: 'storm: drop → all ready', value: ms(storm.allReadyMs, 0), target: `≈ window (${storm.windowMs} ms)` },
];

function natsRows(result: NatsBenchResult | string): Row[] {
  if (typeof result === 'string') return [{ metric: 'NATS replicas', value: result, target: '—' }];
  const bound = result.ttlMs + result.renewIntervalMs;
  const killMax = Math.max(...result.failover.killToReadyMs);
  return [
    {
      metric: `NATS failover: owner SIGKILL → standby ready (median / max; TTL ${result.ttlMs} ms)`,
      value: `${ms(median(result.failover.killToReadyMs), 0)} / ${ms(killMax, 0)}`,
      target: `≤ TTL + renew (${bound} ms)`,
      pass: killMax <= bound,
    },
    {
      metric: 'NATS handover: owner SIGTERM → standby ready (median)',
      value: ms(median(result.failover.termToReadyMs), 0),
      target: '—',
    },
    {
      metric: 'NATS fan-out added latency over one process, p50 / p99',
      value: `${round(result.fanOut.addedP50Us / 1000, 3)} / ${round(result.fanOut.addedP99Us / 1000, 3)} ms`,
      target: '—',
    },
  ];
}

const width = (pick: (r: Row) => string, title: string) => Math.max(title.length, ...rows.map((r) => pick(r).length));
const w = [width((r) => r.metric, 'metric'), width((r) => r.value, 'value'), width((r) => r.target, 'target')];
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i] ?? 4)).join(' | ')} |`;
log('');
log(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
log(line(['metric', 'value', 'target', 'pass']));
log(line(w.map((n) => '-'.repeat(n)).concat('----')));
for (const r of rows) log(line([r.metric, r.value, r.target, r.pass === undefined ? '' : r.pass ? 'pass' : 'MISS']));

const dir = new URL('../../bench/results/', import.meta.url);
await mkdir(dir, { recursive: true });
const file = new URL('latest.json', dir);
await writeFile(
  file,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      durationSec: round((performance.now() - started) / 1000, 1),
      machine,
      settings: { repeats, messages, latencyTicks, fleetSize, stormWindowMs },
      rows,
      throughput: paths,
      framePath,
      bybit: { stream: bybit, restore: bybitRestore },
      binance: { stream: binance, restore: binanceRestores, rotation: binanceRotation },
      nats,
      deadSocket: dead,
      restore,
      fleet,
    },
    null,
    1,
  ),
);
log(`\nwrote ${file.pathname} (${round((performance.now() - started) / 1000, 1)} s)`);

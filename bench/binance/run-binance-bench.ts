/**
 * `npm run bench:binance`: only the Binance rows (stream CPU vs raw, restore of 1,000 streams
 * against the frame-limit floor). BENCH_REPEATS, BENCH_MESSAGES.
 */
import { round } from '../support/stats.js';
import { measureBinanceRestore } from './binance-restore.js';
import { measureBinanceRotation } from './binance-rotation.js';
import { measureBinanceStream } from './binance-stream.js';
import { startRemoteBinance } from './remote-binance.js';
import { BINANCE_RESTORE_PLANS } from './binance-plans.js';

const log = (line: string): void => console.log(line);
const remote = await startRemoteBinance(['BTCUSDT', 'ETHUSDT']);
try {
  const result = await measureBinanceStream(remote, {
    repeats: Number(process.env.BENCH_REPEATS ?? 5),
    messages: Number(process.env.BENCH_MESSAGES ?? 50_000),
    log,
  });
  const { backlog, frames } = result;
  log(
    `${result.stream}: backlog raw ${round(backlog.raw)} / supervised ${round(backlog.supervised)} µs (${round(backlog.ratio, 3)}×)`,
  );
  log(
    `${result.stream}: frame path raw ${round(frames.raw, 0)} / supervised ${round(frames.supervised, 0)} ns (${round(frames.ratio, 3)}×)`,
  );
} finally {
  await remote.stop();
}
for (const plan of BINANCE_RESTORE_PLANS) {
  const r = await measureBinanceRestore(plan);
  log(
    `restore ${r.streams} streams, ${r.shards} socket(s), ${r.streamsPerRequest} a SUBSCRIBE: ${round(r.dropToReadyMs, 1)} ms median, ${round(r.dropToReadyMaxMs, 1)} max (floor ${r.floorMs} ms), ${r.subscribeCalls} SUBSCRIBEs, peak ${r.peakFramesPerSecond} frames/s, ${r.rateCloses} cut`,
  );
}
const rotation = await measureBinanceRotation(5);
log(
  `rotation: ${rotation.completed}/${rotation.rotations} completed, ${round(rotation.durationMedianMs, 1)} ms median (${round(rotation.durationMaxMs, 1)} max); trades ${rotation.tradesDelivered} delivered, ${rotation.tradesMissed} missed, ${rotation.tradesRepeated} repeated; book breaks ${rotation.bookBreaks}; forced ${rotation.forcedChannels}`,
);

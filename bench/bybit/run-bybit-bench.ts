/**
 * `npm run bench:bybit`: only the Bybit rows (stream CPU vs raw, restore of 500 topics), for
 * checking a change without the whole benchmark. BENCH_REPEATS, BENCH_MESSAGES, BENCH_ROUNDS.
 */
import { round } from '../support/stats.js';
import { measureBybitRestore } from './bybit-restore.js';
import { measureBybitStream } from './bybit-stream.js';
import { BENCH_SYMBOLS } from './bybit-symbols.js';
import { startRemoteBybit } from './remote-bybit.js';

const log = (line: string): void => console.log(line);
const remote = await startRemoteBybit(BENCH_SYMBOLS);
try {
  for (const topic of ['tickers.BTCUSDT', 'orderbook.50.BTCUSDT']) {
    const result = await measureBybitStream(remote, {
      topic,
      repeats: Number(process.env.BENCH_REPEATS ?? 5),
      messages: Number(process.env.BENCH_MESSAGES ?? 50_000),
      frameRounds: Number(process.env.BENCH_ROUNDS ?? 25),
      log,
    });
    log(
      `${topic}: backlog raw ${round(result.backlog.raw)} / supervised ${round(result.backlog.supervised)} µs (${round(result.backlog.ratio, 3)}×); frame path raw ${round(result.frames.raw, 0)} / supervised ${round(result.frames.supervised, 0)} ns (${round(result.frames.ratio, 3)}×)`,
    );
  }
} finally {
  await remote.stop();
}
const restore = await measureBybitRestore(500, 5);
log(
  `restore 500 topics: ${round(restore.dropToReadyMs, 1)} ms median, ${round(restore.dropToReadyMaxMs, 1)} ms max, ${restore.subscribeOps} subscribe ops, ${restore.restoredTopics} restored`,
);

/** 500 topics on one Bybit linear connection (in requests of up to 100 args): drop the socket, time the restore. */
import { BybitAdapter, SupervisedConnection, noJitter } from '@exchange-connection/core';
import { BybitTestExchange } from '@exchange-connection/testkit';
import { restoreTrials } from '../support/restore-trials.js';
import { silentLogger } from '../support/silent-logger.js';
import { median } from '../support/stats.js';
import { BENCH_SYMBOLS, restoreTopics } from './bybit-symbols.js';

export interface BybitRestoreResult {
  topics: number;
  /** Drop → ready with every topic re-subscribed (rebuild delay 0), ms: median and max of trials. */
  dropToReadyMs: number;
  dropToReadyMaxMs: number;
  /** Subscribe ops per restore (largest over trials). */
  subscribeOps: number;
  /** Topics the exchange held after each restore (smallest over trials). */
  restoredTopics: number;
  trials: number;
}

export async function measureBybitRestore(topics = 500, trials = 5): Promise<BybitRestoreResult> {
  const wanted = restoreTopics(topics);
  const exchange = await BybitTestExchange.start({
    port: 0,
    feedIntervalMs: 0,
    level1ResnapshotMs: 0,
    symbols: { spot: BENCH_SYMBOLS, linear: BENCH_SYMBOLS },
    connectionLimit: false,
  });
  const connection = new SupervisedConnection({
    name: 'bybit-restore',
    url: exchange.url('linear'),
    venue: new BybitAdapter({ market: 'linear' }),
    rebuild: { baseDelayMs: 0, jitter: noJitter },
    logger: silentLogger(),
  });
  const run = await restoreTrials(exchange, connection, wanted, topics, trials);
  return {
    topics,
    dropToReadyMs: median(run.drop),
    dropToReadyMaxMs: Math.max(...run.drop),
    subscribeOps: run.subscribeCalls,
    restoredTopics: run.restored,
    trials,
  };
}

/** 500 topics on one Bybit linear connection (in requests of up to 100 args): drop the socket, time the restore. */
import { BybitAdapter, SupervisedConnection, noJitter, type ConnectionEvent } from '@exchange-connection/core';
import { BybitTestExchange } from '@exchange-connection/testkit';
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
  const consumers = wanted.map((topic) => connection.channel$(topic).subscribe(() => undefined));
  const drop: number[] = [];
  let subscribeOps = 0;
  let restoredTopics = Infinity;
  try {
    connection.start();
    await connection.whenReady(10_000);
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === topics, 10_000);
    for (let trial = 0; trial < trials; trial += 1) {
      exchange.resetCounters();
      const ready = new Promise<ConnectionEvent & { type: 'ready' }>((resolve) => {
        const s = connection.events$.subscribe((event) => {
          if (event.type !== 'ready') return;
          s.unsubscribe();
          resolve(event);
        });
      });
      const t0 = performance.now();
      exchange.terminateAll();
      await ready;
      drop.push(performance.now() - t0);
      subscribeOps = Math.max(subscribeOps, exchange.counters.subscribeCalls);
      restoredTopics = Math.min(restoredTopics, exchange.connections()[0]?.subscriptions.length ?? 0);
    }
  } finally {
    for (const c of consumers) c.unsubscribe();
    await connection.close();
    await exchange.stop();
  }
  return {
    topics,
    dropToReadyMs: median(drop),
    dropToReadyMaxMs: Math.max(...drop),
    subscribeOps,
    restoredTopics,
    trials,
  };
}

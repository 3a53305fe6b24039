/**
 * 1,000 Binance spot streams on one logical connection: drop every socket, time the restore, and
 * set it against the floor the venue's frame limit allows. A socket may send 5 frames in any
 * second (the adapter keeps a 10 % margin); a restore of k SUBSCRIBEs on one socket therefore
 * needs at least (ceil(k / 5) − 1) seconds by the venue's rule alone (the first 5 go at once),
 * and shards restore side by side. Counted by the exchange: the most frames any socket sent in
 * one second, and sockets cut for rate (must be 0).
 */
import { BinanceAdapter, ShardedConnection, binanceStream, noJitter, type ConnectionEvent } from '@exchange-connection/core';
import { BinanceTestExchange } from '@exchange-connection/testkit';
import { silentLogger } from '../support/silent-logger.js';
import { median } from '../support/stats.js';

export interface BinanceRestoreResult {
  streams: number;
  shards: number;
  streamsPerRequest: number;
  /** SUBSCRIBEs per restore (all shards). */
  subscribeCalls: number;
  /** Drop → every shard ready again, ms: median and max of trials. */
  dropToReadyMs: number;
  dropToReadyMaxMs: number;
  /** The venue's floor for this plan (5 frames per second per socket), ms. */
  floorMs: number;
  peakFramesPerSecond: number;
  rateCloses: number;
  trials: number;
}

export async function measureBinanceRestore(options: {
  streams?: number;
  streamsPerSocket: number;
  streamsPerRequest: number;
  trials?: number;
}): Promise<BinanceRestoreResult> {
  const count = options.streams ?? 1_000;
  const trials = options.trials ?? 3;
  const symbols = Array.from({ length: Math.ceil(count / 2) }, (_, i) => `R${i}USDT`);
  const streams = symbols.flatMap((s) => [binanceStream.trade(s), binanceStream.bookTicker(s)]).slice(0, count);
  const exchange = await BinanceTestExchange.start({
    port: 0,
    feedIntervalMs: 0,
    symbols: { spot: symbols },
    connectionLimit: false,
  });
  const connection = new ShardedConnection({
    name: 'binance-restore',
    url: exchange.urls.spotCombined,
    venue: new BinanceAdapter({
      market: 'spot',
      restUrl: exchange.urls.rest,
      maxStreamsPerSocket: options.streamsPerSocket,
      maxStreamsPerRequest: options.streamsPerRequest,
    }),
    rebuild: { baseDelayMs: 0, jitter: noJitter },
    logger: silentLogger(),
  });
  const consumers = streams.map((stream) => connection.channel$(stream).subscribe(() => undefined));
  const drop: number[] = [];
  let subscribeCalls = 0;
  try {
    connection.start();
    await connection.whenReady(120_000);
    const shards = connection.shardCount;
    for (let trial = 0; trial < trials; trial += 1) {
      exchange.resetCounters();
      let ready = 0;
      const allReady = new Promise<void>((resolve) => {
        const s = connection.events$.subscribe((event: ConnectionEvent) => {
          if (event.type !== 'ready' || ++ready < shards) return;
          s.unsubscribe();
          resolve();
        });
      });
      const t0 = performance.now();
      exchange.terminateAll();
      await allReady;
      drop.push(performance.now() - t0);
      subscribeCalls = Math.max(subscribeCalls, exchange.counters.subscribeCalls);
    }
    const perShard = Math.ceil(Math.min(count, options.streamsPerSocket) / options.streamsPerRequest);
    return {
      streams: count,
      shards,
      streamsPerRequest: options.streamsPerRequest,
      subscribeCalls,
      dropToReadyMs: median(drop),
      dropToReadyMaxMs: Math.max(...drop),
      floorMs: Math.max(0, Math.ceil(perShard / 5) - 1) * 1_000,
      peakFramesPerSecond: exchange.counters.peakMessagesPerSecond,
      rateCloses: exchange.counters.messageRateCloses,
      trials,
    };
  } finally {
    for (const c of consumers) c.unsubscribe();
    await connection.close();
    await exchange.stop();
  }
}

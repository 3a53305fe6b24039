/**
 * A half-open link (the proxy black-holes both directions; no FIN, no RST, no error): how long
 * until the connection declares it dead, against the configured bound?
 */
import { DeribitAdapter, SupervisedConnection, noJitter } from '@exchange-connection/core';
import { FaultProxy, TestExchange } from '@exchange-connection/testkit';
import { silentLogger } from './support/silent-logger.js';
import { median } from './support/stats.js';

export interface DeadSocketResult {
  boundMs: number;
  /** Black hole on → `down` (HEARTBEAT_TIMEOUT), ms: median and max of trials. */
  detectMs: number;
  detectMaxMs: number;
  /** Last inbound data → `down`: what the bound is defined on. */
  silenceMedianMs: number;
  silenceMaxMs: number;
  ratio: number;
  codes: string[];
  trials: number;
}

export async function measureDeadSocket(boundMs = 1_000, trials = 5): Promise<DeadSocketResult> {
  // The feed ticks every 10 ms, so the last frame before the black hole is at most ~10 ms old.
  const exchange = await TestExchange.start({ port: 0, feedIntervalMs: 10, minHeartbeatIntervalSec: 1 });
  const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: exchange.port } });
  const connection = new SupervisedConnection({
    name: 'half-open',
    url: proxy.url(),
    venue: new DeribitAdapter(),
    client: { heartbeat: { intervalMs: Math.max(1, Math.round(boundMs / 4)), timeoutMs: boundMs } },
    rebuild: { baseDelayMs: 0, jitter: noJitter },
    silenceTimeoutMs: boundMs,
    logger: silentLogger(),
  });
  let lastDataAt = 0;
  const consumer = connection.channel$('ticker.BTC-PERPETUAL.100ms').subscribe(() => (lastDataAt = performance.now()));
  const detect: number[] = [];
  const silence: number[] = [];
  const codes: string[] = [];
  try {
    connection.start();
    for (let trial = 0; trial < trials; trial += 1) {
      await connection.whenReady(10_000);
      const before = lastDataAt;
      while (lastDataAt === before) await new Promise((r) => setTimeout(r, 5));
      const down = new Promise<string>((resolve) => {
        const s = connection.events$.subscribe((event) => {
          if (event.type !== 'down') return;
          s.unsubscribe();
          resolve(event.code);
        });
      });
      const t0 = performance.now();
      proxy.setBlackHole(true);
      codes.push(await down);
      const t1 = performance.now();
      detect.push(t1 - t0);
      silence.push(t1 - lastDataAt);
      proxy.setBlackHole(false);
    }
  } finally {
    consumer.unsubscribe();
    await connection.close();
    await proxy.stop();
    await exchange.stop();
  }
  const silenceMedian = median(silence);
  return {
    boundMs,
    detectMs: median(detect),
    detectMaxMs: Math.max(...detect),
    silenceMedianMs: silenceMedian,
    silenceMaxMs: Math.max(...silence),
    ratio: Math.max(...silence) / boundMs,
    codes: [...new Set(codes)],
    trials,
  };
}

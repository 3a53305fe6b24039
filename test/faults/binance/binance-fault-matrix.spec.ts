import { BinanceAdapter, ShardedConnection, binanceStream, type ConnectionEvent } from '@exchange-connection/core';
import { BinanceTestExchange } from '@exchange-connection/testkit';
import { readFileSync } from 'node:fs';
import type { Subscription } from 'rxjs';
import { waitFor } from '../../support/wait-for.js';
import { captureLogger } from '../../supervisor/fixtures.js';
import { BinanceFaultHarness, SPOT_FRAME_LIMIT } from './binance-fault-harness.js';
import { binanceScenarios, type BinanceFaultScenario } from './binance-scenarios.js';

/**
 * Start → both connections ready with data on every channel → setup → inject → shared invariants
 * (nothing lost, nothing duplicated, one layer reconnecting, the frame limit held, a fresh
 * signature per subscribe) → expect → close → nothing leaked.
 */
export async function runBinanceScenario(scenario: BinanceFaultScenario, logger = captureLogger()): Promise<BinanceFaultHarness> {
  const ctx = await BinanceFaultHarness.start(scenario.config, logger);
  try {
    for (const leg of Object.values(ctx.legs)) await leg.connection.whenReady(5_000);
    await ctx.waitForData(2);
    await scenario.setup?.(ctx);
    await scenario.inject(ctx);
    await ctx.assertRecoveredInvariants(scenario.limits);
    await scenario.expect?.(ctx);
    await ctx.closeAndAssertNoLeaks();
    return ctx;
  } finally {
    await ctx.close();
  }
}

const notes: string[] = [];

describe('fault matrix, Binance: two SupervisedConnections (spot streams, user data) over real sockets (BinanceTestExchange behind a FaultProxy)', () => {
  afterAll(() => {
    if (process.env.FAULT_MATRIX_NOTES === '1' && notes.length > 0) console.log(notes.join('\n'));
  });

  it.each(binanceScenarios.map((s) => [s.name, s] as const))(
    '%s',
    async (_name, scenario) => {
      const logger = captureLogger();
      const ctx = await runBinanceScenario(scenario, logger);
      notes.push(...ctx.notes.map((n) => `${scenario.name}: ${n}`));
      const secretLines = logger.lines.filter((line) => line.includes('fault-secret-789'));
      expect(secretLines).toEqual([]);
    },
    120_000,
  );

  it('rate limit never exceeded while restoring 1,000 streams over shards (counted by the exchange)', async () => {
    const symbols = Array.from({ length: 500 }, (_, i) => `S${i}USDT`);
    const exchange = await BinanceTestExchange.start({
      feedIntervalMs: 0,
      symbols: { spot: symbols },
      pingIntervalMs: { spot: 500 },
    });
    const logger = captureLogger();
    const connection = new ShardedConnection({
      name: 'binance-1000',
      url: exchange.urls.spotCombined,
      // 250 streams a socket → 4 shards; 25 streams a SUBSCRIBE → 10 frames a shard, two windows' worth.
      venue: new BinanceAdapter({
        market: 'spot',
        restUrl: exchange.urls.rest,
        maxStreamsPerSocket: 250,
        maxStreamsPerRequest: 25,
        logger,
      }),
      rebuild: { baseDelayMs: 20, maxBackoffMs: 200 },
      logger,
    });
    const subscriptions: Subscription[] = [];
    const events: ConnectionEvent[] = [];
    try {
      subscriptions.push(connection.events$.subscribe((e) => events.push(e)));
      const streams = symbols.flatMap((s) => [binanceStream.trade(s), binanceStream.bookTicker(s)]);
      for (const stream of streams) subscriptions.push(connection.channel$(stream).subscribe());
      connection.start();
      await connection.whenReady(30_000);
      expect(connection.shardCount).toBe(4);
      exchange.terminateAll();
      await waitFor(() => events.filter((e) => e.type === 'ready').length === 8, {
        timeoutMs: 30_000,
        message: 'every shard restored',
      });
      await connection.whenReady(30_000);
      const held = exchange.connections().map((c) => c.streams.length);
      expect(held).toEqual([250, 250, 250, 250]);
      expect(new Set(exchange.connections().flatMap((c) => c.streams)).size).toBe(1000);
      expect(exchange.counters.subscribeCalls).toBe(80);
      expect(exchange.counters.peakMessagesPerSecond).toBeLessThanOrEqual(SPOT_FRAME_LIMIT);
      expect(exchange.counters.messageRateCloses).toBe(0);
      expect(events.filter((e) => e.type === 'down')).toHaveLength(4);
    } finally {
      for (const s of subscriptions) s.unsubscribe();
      await connection.close();
      await exchange.stop();
    }
  }, 120_000);

  it('README table lists every row', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = binanceScenarios.filter((s) => !readme.includes(`| ${s.name} |`)).map((s) => s.name);
    expect(missing).toEqual([]);
  });
});

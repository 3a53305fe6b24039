import { ShardedConnection, noJitter, type VenueAdapter } from '@exchange-connection/core';
import type { RpcTestClient, TestExchange } from '@exchange-connection/testkit';
import { waitFor } from '../support/wait-for.js';
import { CREDENTIALS, captureLogger, methodCount, startExchange } from './fixtures.js';
import { NoticeDeribitAdapter, SHUTDOWN_NOTICE, missing, referenceReader, repeats, tradeHoles } from './rotation-fixtures.js';

const TICKER = 'ticker.BTC-PERPETUAL.100ms';
const TRADES = 'trades.ETH-PERPETUAL.100ms';

/** The notice-aware Deribit adapter with room for one of these channels per socket. */
function oneChannelPerSocket(): VenueAdapter {
  const limit = Math.max(TICKER.length, TRADES.length);
  return Object.assign(Object.create(new NoticeDeribitAdapter()) as NoticeDeribitAdapter, {
    shardBudget: { cost: (channel: string) => channel.length, limit },
  });
}

describe('ShardedConnection rotation: each shard rotates on its own', () => {
  let exchange: TestExchange;
  let reference: RpcTestClient;
  let connection: ShardedConnection | undefined;

  beforeEach(async () => {
    exchange = await startExchange({ feedIntervalMs: 20 });
    reference = await referenceReader(exchange, [TICKER, TRADES]);
  });

  afterEach(async () => {
    await connection?.close();
    connection = undefined;
    await reference.close();
    await exchange.stop();
  });

  it('rotates every shard on a notice and on a handover, with nothing missed or repeated on any', async () => {
    const c = new ShardedConnection({
      name: 'sharded',
      url: exchange.url,
      venue: oneChannelPerSocket(),
      session: { credentials: CREDENTIALS, heartbeatIntervalSec: 0.5 },
      client: { heartbeat: false, requestTimeoutMs: 2_000, connectTimeoutMs: 2_000 },
      rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
      rotation: { overlapTimeoutMs: 5_000 },
      silenceTimeoutMs: 1_500,
      logger: captureLogger(),
    });
    connection = c;
    const tickers: number[] = [];
    const trades: number[] = [];
    const errors: string[] = [];
    const a = c.channel$<{ timestamp: number }>(TICKER).subscribe({
      next: (t) => tickers.push(t.timestamp),
      error: (e: unknown) => errors.push(String(e)),
    });
    const b = c.channel$<Array<{ trade_seq: number }>>(TRADES).subscribe({
      next: (batch) => trades.push(...batch.map((t) => t.trade_seq)),
      error: (e: unknown) => errors.push(String(e)),
    });
    c.start();
    await c.whenReady(5_000);
    expect(c.shardCount).toBe(2);
    expect(c.shardOf(TICKER)).not.toBe(c.shardOf(TRADES));
    await waitFor(() => tickers.length > 5 && trades.length > 5, { message: 'data on both shards' });

    // The notice reaches every socket; each shard's socket rotates for itself.
    expect(exchange.notifyAll(SHUTDOWN_NOTICE)).toBe(3);
    await waitFor(() => c.shardStats().every((s) => s.rotations?.completed === 1), { message: 'both shards rotated' });
    // A planned handover rotates them all; each outcome is its shard's.
    const outcomes = await c.rotate('handover');
    expect(outcomes.map((o) => o.outcome)).toEqual(['completed', 'completed']);
    const seen = tickers.length;
    await waitFor(() => tickers.length > seen + 10, { message: 'data after the handover' });
    a.unsubscribe();
    b.unsubscribe();

    expect(errors).toEqual([]);
    expect(c.shardStats().map((s) => s.rotations?.completed)).toEqual([2, 2]);
    expect(c.stats().rotations).toMatchObject({ completed: 4, failed: 0, abandoned: 0, forcedChannels: 0 });
    expect(c.stats().reconnects).toBe(0);
    const refTickers = reference.notifications(TICKER).map((d) => (d as { timestamp: number }).timestamp);
    const refTrades = reference.notifications(TRADES).flatMap((d) => (d as Array<{ trade_seq: number }>).map((t) => t.trade_seq));
    expect(repeats(tickers)).toEqual([]);
    expect(missing(tickers, refTickers)).toEqual([]);
    expect(repeats(trades)).toEqual([]);
    expect(tradeHoles(trades)).toEqual([]);
    expect(missing(trades, refTrades)).toEqual([]);
    // The reference, then two shards × (first socket + two rotations), each authenticated once.
    expect(exchange.counters.connections).toBe(1 + 2 * 3);
    expect(methodCount(exchange, 'public/auth')).toBe(2 * 3);
    await c.close();
    await exchange.waitFor(() => exchange.connections().length === 1);
  });
});

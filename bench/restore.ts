/** 500 subscriptions on one connection: drop the socket, time the restore, count subscribe calls. */
import { DeribitAdapter, SupervisedConnection, noJitter } from '@exchange-connection/core';
import { TestExchange } from '@exchange-connection/testkit';
import { restoreTrials } from './support/restore-trials.js';
import { silentLogger } from './support/silent-logger.js';
import { median } from './support/stats.js';

export interface RestoreResult {
  subscriptions: number;
  /** Drop → ready with every channel re-subscribed (rebuild delay 0), ms: median and max of trials. */
  dropToReadyMs: number;
  dropToReadyMaxMs: number;
  /** The connection's own `ready` duration (new socket → ready), median ms. */
  buildMs: number;
  /** Subscribe calls per restore (largest over trials). */
  subscribeCalls: number;
  /** Channels the exchange had subscribed after each restore (smallest over trials). */
  restoredChannels: number;
  trials: number;
}

export function restoreChannels(count: number): { instruments: string[]; channels: string[] } {
  const kinds = ['ticker.%.100ms', 'ticker.%.agg2', 'trades.%.100ms', 'trades.%.agg2'];
  const instruments = Array.from({ length: Math.ceil(count / kinds.length) }, (_, i) => `BTC-${i + 1}JAN30`);
  const channels = instruments.flatMap((instrument) => kinds.map((k) => k.replace('%', instrument))).slice(0, count);
  return { instruments, channels };
}

export async function measureRestore(subscriptions = 500, trials = 5): Promise<RestoreResult> {
  const { instruments, channels } = restoreChannels(subscriptions);
  const exchange = await TestExchange.start({ port: 0, feedIntervalMs: 0, instruments, minHeartbeatIntervalSec: 1 });
  const connection = new SupervisedConnection({
    name: 'restore',
    url: exchange.url,
    venue: new DeribitAdapter(),
    session: {
      credentials: { kind: 'client_credentials', clientId: 'test-client', clientSecret: 'test-secret' },
      heartbeatIntervalSec: 10,
      cancelOnDisconnect: { scope: 'connection' },
    },
    rebuild: { baseDelayMs: 0, jitter: noJitter },
    logger: silentLogger(),
  });
  const run = await restoreTrials(exchange, connection, channels, subscriptions, trials);
  return {
    subscriptions,
    dropToReadyMs: median(run.drop),
    dropToReadyMaxMs: Math.max(...run.drop),
    buildMs: median(run.build),
    subscribeCalls: run.subscribeCalls,
    restoredChannels: run.restored,
    trials,
  };
}

/**
 * The restore measurement of the Deribit and Bybit rows: one connection holding `channels`, the
 * exchange drops its socket, and the time to the connection's next `ready` (every channel
 * re-subscribed, rebuild delay 0) is taken, `trials` times. The venue supplies its exchange and
 * a connection over its adapter (not started).
 */
import type { ConnectionEvent, SupervisedConnection } from '@exchange-connection/core';

/** What the trials need of a venue's test exchange. */
interface RestoreExchange {
  readonly counters: { subscribeCalls: number };
  connections(): ReadonlyArray<{ subscriptions: readonly unknown[] }>;
  waitFor(predicate: () => boolean, timeoutMs: number): Promise<void>;
  resetCounters(): void;
  terminateAll(): void;
  stop(): Promise<void>;
}

export interface RestoreTrials {
  /** Drop → ready, ms, per trial. */
  drop: number[];
  /** The `ready` event's own duration (new socket → ready), ms, per trial. */
  build: number[];
  /** Subscribe calls the exchange counted per restore (largest over trials). */
  subscribeCalls: number;
  /** Channels the exchange held after each restore (smallest over trials). */
  restored: number;
}

/** Runs the trials, then closes the connection and stops the exchange. */
export async function restoreTrials(
  exchange: RestoreExchange,
  connection: SupervisedConnection,
  channels: readonly string[],
  expected: number,
  trials: number,
): Promise<RestoreTrials> {
  const consumers = channels.map((c) => connection.channel$(c).subscribe(() => undefined));
  const result: RestoreTrials = { drop: [], build: [], subscribeCalls: 0, restored: Infinity };
  try {
    connection.start();
    await connection.whenReady(10_000);
    await exchange.waitFor(() => exchange.connections()[0]?.subscriptions.length === expected, 10_000);
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
      const event = await ready;
      result.drop.push(performance.now() - t0);
      result.build.push(event.durationMs);
      result.subscribeCalls = Math.max(result.subscribeCalls, exchange.counters.subscribeCalls);
      result.restored = Math.min(result.restored, exchange.connections()[0]?.subscriptions.length ?? 0);
    }
  } finally {
    for (const c of consumers) c.unsubscribe();
    await connection.close();
    await exchange.stop();
  }
  return result;
}

/**
 * Every connection of a fleet loses its socket at the same moment; how do the first reconnect
 * attempts spread over the backoff window, and how long until all are ready again?
 */
import type { ConnectionEvent, ExchangeConnection } from '@exchange-connection/core';
import { monotonicMs } from '../support/exchange-host-protocol.js';
import { analyzeSpread, type SpreadAnalysis } from './storm-analysis.js';

export interface StormResult {
  connections: number;
  windowMs: number;
  /** From `rebuild-scheduled` events: the delays the supervisor chose. */
  scheduled: SpreadAnalysis;
  /** From the `connecting` state: when each first attempt actually started (timer and loop latency included). */
  attempts: SpreadAnalysis;
  /** Drop → every connection ready again, ms. */
  allReadyMs: number;
  /** Drop → every connection noticed the loss (`down`), ms. */
  allDownMs: number;
  /** Connections that needed more than one attempt. */
  retried: number;
  /**
   * First attempts that started before the delay their connection had scheduled (down → connecting
   * shorter than the delay, 2 ms of timer rounding allowed). A busy machine only makes timers late,
   * so this is 0 whatever the load, unless the supervisor ignores its own schedule.
   */
  early: number;
}

interface Track {
  downAt?: number;
  scheduledDelay?: number;
  connectingAt?: number;
  readyAt?: number;
  attempts: number;
}

/**
 * `drop()` must cut every socket at once and resolve with the monotonic ms (`monotonicMs`, the
 * same clock in every process) at which it did.
 */
export async function runStorm(
  connections: readonly ExchangeConnection[],
  drop: () => Promise<number> | number,
  options: { windowMs: number; timeoutMs: number },
): Promise<StormResult> {
  const tracks = connections.map<Track>(() => ({ attempts: 0 }));
  let ready = 0;
  let notifyAllReady: (() => void) | undefined;
  const allReady = new Promise<void>((resolve) => (notifyAllReady = resolve));
  const subscriptions = connections.map((connection, i) =>
    connection.events$.subscribe((event: ConnectionEvent) => {
      const track = tracks[i] as Track;
      const now = monotonicMs();
      if (event.type === 'down' && track.downAt === undefined) track.downAt = now;
      else if (event.type === 'rebuild-scheduled' && track.scheduledDelay === undefined) track.scheduledDelay = event.delayMs;
      else if (event.type === 'state' && event.to === 'connecting') {
        track.attempts += 1;
        track.connectingAt ??= now;
      } else if (event.type === 'ready' && track.readyAt === undefined && track.downAt !== undefined) {
        track.readyAt = now;
        ready += 1;
        if (ready === connections.length) notifyAllReady?.();
      }
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    const droppedAt = await drop();
    await Promise.race([
      allReady,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`storm: ${ready}/${connections.length} ready after ${options.timeoutMs} ms`)),
          options.timeoutMs,
        );
      }),
    ]);
    const attempts = tracks.map((t) => (t.connectingAt as number) - droppedAt);
    const delays = tracks.map((t) => t.scheduledDelay as number);
    return {
      connections: connections.length,
      windowMs: options.windowMs,
      scheduled: analyzeSpread(delays, options.windowMs),
      attempts: analyzeSpread(attempts, options.windowMs),
      allReadyMs: Math.max(...tracks.map((t) => (t.readyAt as number) - droppedAt)),
      allDownMs: Math.max(...tracks.map((t) => (t.downAt as number) - droppedAt)),
      retried: tracks.filter((t) => t.attempts > 1).length,
      early: tracks.filter((t) => (t.connectingAt as number) - (t.downAt as number) < (t.scheduledDelay as number) - 2).length,
    };
  } finally {
    clearTimeout(timer);
    for (const s of subscriptions) s.unsubscribe();
  }
}

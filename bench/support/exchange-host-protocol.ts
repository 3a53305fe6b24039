/** Messages between a benchmark and the test exchanges it runs in a child process (exchange-host.ts). */

export interface HostStartOptions {
  /** How many exchanges (each its own port) to start. */
  exchanges: number;
  seed?: number;
  minHeartbeatIntervalSec?: number;
  instruments?: string[];
  /**
   * Stamp feed timestamps with the monotonic clock (`process.hrtime`, ms with a fraction): the same
   * clock in every process on this machine, so the receiver can compute a one-way latency.
   */
  monotonicTimestamps?: boolean;
}

export type HostCommand =
  | { op: 'start'; options: HostStartOptions }
  | { op: 'publish'; channel: string; count: number }
  /** `total` notifications in bursts of `burst`, one burst per event-loop turn (setImmediate). */
  | { op: 'burst'; channel: string; total: number; burst: number }
  /** `perTick` notifications every `intervalMs`, `ticks` times. */
  | { op: 'paced'; channel: string; perTick: number; intervalMs: number; ticks: number }
  | { op: 'terminateAll' }
  | { op: 'connections' }
  | { op: 'counters' }
  | { op: 'resetCounters' }
  | { op: 'stop' };

/** Monotonic ms (CLOCK_MONOTONIC via hrtime): comparable across processes on one machine. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Messages between a benchmark and the Bybit test exchange it runs in a child process (bybit-host.ts). */
export type BybitHostCommand =
  | { op: 'start'; symbols: string[] }
  /** `total` messages of `topic` in bursts of `burst`, one burst per event-loop turn. */
  | { op: 'burst'; market: 'spot' | 'linear'; topic: string; total: number; burst: number }
  | { op: 'stop' };

export interface BybitHostRequest {
  id: number;
  command: BybitHostCommand;
}

export interface BybitHostReply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

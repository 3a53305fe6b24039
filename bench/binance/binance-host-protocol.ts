/** Messages between a benchmark and the Binance test exchange it runs in a child process (binance-host.ts). */
export type BinanceHostCommand =
  | { op: 'start'; symbols: string[] }
  /** `total` events of a spot `stream` in bursts of `burst`, one burst per event-loop turn. */
  | { op: 'burst'; stream: string; total: number; burst: number }
  | { op: 'stop' };

export interface BinanceHostRequest {
  id: number;
  command: BinanceHostCommand;
}

export interface BinanceHostReply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** Limits of the browser-facing /stream gateway. */
export interface StreamLimits {
  /** Largest message answered normally; larger ones get `too_large` (default 1024 bytes). */
  maxMessageBytes: number;
  /** Per-client burst and sustained rate of inbound messages (default 20, 10/s). */
  rateBurst: number;
  ratePerSec: number;
  /** Refused messages in a row before the client is disconnected with 1008 (default 500). */
  maxRefusedInRow: number;
  /** Concurrent clients; more are closed with 1013 (default 1000). */
  maxClients: number;
  /** A client this far behind (bytes queued) misses data frames instead of growing our memory (default 1 MiB). */
  maxBufferedBytes: number;
}

export const STREAM_LIMITS = Symbol('MarketDataStreamLimits');

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxMessageBytes: 1024,
  rateBurst: 20,
  ratePerSec: 10,
  maxRefusedInRow: 500,
  maxClients: 1000,
  maxBufferedBytes: 1024 * 1024,
};

/**
 * Hard cap enforced by `ws` itself (it closes the socket with 1009): frames this large are never
 * buffered whole. Below it, oversize messages get an error reply instead.
 */
export const STREAM_HARD_MAX_PAYLOAD = 64 * 1024;

import { ExchangeConnectionError, MAX_TIMER_MS } from '@exchange-connection/core';

/** Limits of the browser-facing /stream gateway. What each one protects: apps/market-data/README.md. */
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
  /**
   * Bytes a client may have queued. Any frame that would take it past this — data, status pushes
   * and replies alike — is dropped for that client (counted), so a client that does not read
   * costs at most this much memory (default 1 MiB).
   */
  maxBufferedBytes: number;
  /** A client that stays over `maxBufferedBytes` this long is disconnected (default 10 s). */
  slowClientTimeoutMs: number;
  /**
   * A venue frame larger than this once serialised is sent to nobody (counted as `too_large`):
   * the gateway re-broadcasts market data, not whatever size a venue sends (default 1 MiB).
   */
  maxFrameBytes: number;
  /**
   * When the last browser leaves a channel, the upstream subscription stays this long, so a
   * browser flapping subscribe/unsubscribe never reaches the venue (default 30 s).
   */
  upstreamLingerMs: number;
  /**
   * Upstream channel changes (a subscribe or an unsubscribe) browsers may cause, per connection:
   * a burst and a sustained rate. Changes beyond it wait, coalesced, so no number of browsers can
   * push the account's connection past the venue's limit (Deribit allows subscribe calls at
   * about 3.3/s with a burst of 10; default 5 and 1/s leave room for the app's own calls).
   */
  upstreamChangeBurst: number;
  upstreamChangesPerSec: number;
}

export const STREAM_LIMITS = Symbol('MarketDataStreamLimits');

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxMessageBytes: 1024,
  rateBurst: 20,
  ratePerSec: 10,
  maxRefusedInRow: 500,
  maxClients: 1000,
  maxBufferedBytes: 1024 * 1024,
  slowClientTimeoutMs: 10_000,
  maxFrameBytes: 1024 * 1024,
  upstreamLingerMs: 30_000,
  upstreamChangeBurst: 5,
  upstreamChangesPerSec: 1,
};

/**
 * Hard cap enforced by `ws` itself (it closes the socket with 1009): frames this large are never
 * buffered whole. Below it, oversize messages get an error reply instead.
 */
export const STREAM_HARD_MAX_PAYLOAD = 64 * 1024;

/** Defaults overlaid with `overrides`, every value checked; a bad one throws INVALID_CONFIG naming it. */
export function resolveStreamLimits(overrides: Partial<StreamLimits> = {}): StreamLimits {
  const limits = { ...DEFAULT_STREAM_LIMITS, ...overrides };
  const check = (key: keyof StreamLimits, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const value = limits[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        `stream.${key} must be a number in ${min}..${max} (got ${String(value)})`,
      );
    }
  };
  check('maxMessageBytes', 1, STREAM_HARD_MAX_PAYLOAD);
  check('rateBurst', 1);
  check('ratePerSec', 0);
  check('maxRefusedInRow', 1);
  check('maxClients', 1);
  check('maxBufferedBytes', 1024);
  check('slowClientTimeoutMs', 1, MAX_TIMER_MS);
  // A frame the buffer bound could never admit would reach no client at all.
  check('maxFrameBytes', 1, limits.maxBufferedBytes);
  check('upstreamLingerMs', 0, MAX_TIMER_MS);
  check('upstreamChangeBurst', 1);
  check('upstreamChangesPerSec', 0.001);
  return limits;
}

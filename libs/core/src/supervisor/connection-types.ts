import type { Observable } from 'rxjs';
import type { RequestOptions } from '../client/client-types.js';
import type { ExchangeConnectionErrorCode } from '../client/errors.js';
import type { OverlapTally } from './overlap-switch.js';
import type { RotationStats } from './rotation-plan.js';

/**
 * What a consumer sees of a supervised connection. `reconnecting` covers the wait before a rebuild;
 * `circuit-open` means rebuilds are suspended (too many failures, or credentials the venue rejected).
 */
export type ConnectionState =
  'idle' | 'connecting' | 'authenticating' | 'restoring' | 'ready' | 'reconnecting' | 'circuit-open' | 'closed';

export interface ConnectionErrorSummary {
  code: ExchangeConnectionErrorCode;
  message: string;
  at: number;
}

export interface ConnectionStats {
  name: string;
  state: ConnectionState;
  /** Epoch ms when the current state was entered. */
  stateSince: number;
  /** Sessions built after the first (each rebuild = one new client). */
  reconnects: number;
  /** Consecutive failed rebuild attempts since the last ready. */
  consecutiveFailures: number;
  circuit: 'closed' | 'open' | 'half-open';
  /** Channels consumers want. */
  subscriptions: number;
  /** Channels subscribed on the current session. */
  sessionSubscriptions: number;
  /** Channels restored by the last rebuild. */
  lastRestoredSubscriptions: number;
  /** Duration of the last successful build (connect → ready), ms. */
  lastRebuildMs?: number;
  /** Channel messages delivered to consumers (a frame nobody listens to is not counted). */
  messagesReceived: number;
  /** Epoch ms of the last inbound frame, ping or pong (any of them, not only channel messages). */
  lastInboundAt?: number;
  /** ms since `lastInboundAt`. */
  lastInboundAgeMs?: number;
  inFlight: number;
  /** Unusable frames dropped, over every client of this connection. */
  malformedFrames: number;
  /**
   * `malformedFrames` by reason (`too-deep`, `too-large`, `unparsable`, ..., and `unrouted`: a
   * frame of a readable shape that the venue's session can route nowhere).
   */
  malformedByReason: Record<string, number>;
  gaps: number;
  /** Make-before-break rotations (set by SupervisedConnection and ShardedConnection). */
  rotations?: RotationStats;
  lastError?: ConnectionErrorSummary;
}

/** Typed events of a connection, for logs and metrics. */
export type ConnectionEvent =
  | { type: 'state'; connection: string; cycle: number; from: ConnectionState; to: ConnectionState; reason?: string }
  | { type: 'down'; connection: string; cycle: number; code: ExchangeConnectionErrorCode; message: string }
  | { type: 'rebuild-scheduled'; connection: string; cycle: number; attempt: number; delayMs: number }
  | { type: 'ready'; connection: string; cycle: number; durationMs: number; restoredSubscriptions: number }
  | { type: 'channel-refused'; connection: string; cycle: number; channel: string }
  | { type: 'gap'; connection: string; cycle: number; channel: string; expectedPrev: number; gotPrev: number }
  | { type: 'circuit'; connection: string; cycle: number; circuit: 'open' | 'half-open' | 'closed'; reason?: string }
  /**
   * A make-before-break rotation: `started`, then `completed` (the new socket serves; `channels`
   * says how each was handed over), `failed` (the new socket could not be built; the old one
   * serves on, and the rotation is retried) or `abandoned` (the serving socket died first, or the
   * connection closed).
   */
  | {
      type: 'rotation';
      connection: string;
      cycle: number;
      phase: 'started' | 'completed' | 'failed' | 'abandoned';
      reason: string;
      durationMs?: number;
      channels?: OverlapTally;
      code?: ExchangeConnectionErrorCode;
      message?: string;
    };

export interface ExchangeConnection {
  readonly name: string;
  readonly state: ConnectionState;
  /** Replays the current state to each new subscriber; distinct transitions only. */
  readonly state$: Observable<ConnectionState>;
  readonly events$: Observable<ConnectionEvent>;
  /** Resolves when ready; rejects on timeout (READY_TIMEOUT), close, or an open circuit. */
  whenReady(timeoutMs?: number): Promise<void>;
  /** Lazy and ref-counted: subscribes on the first observer, unsubscribes after the last; survives reconnects. */
  channel$<T = unknown>(channel: string): Observable<T>;
  /** Sent once on the current session; fails fast with DISCONNECTED if the socket dies; never replayed. */
  request<T = unknown>(method: string, params?: Record<string, unknown>, opts?: RequestOptions): Promise<T>;
  stats(): ConnectionStats;
}

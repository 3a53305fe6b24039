import type { ClientLogger } from '../../client/client-types.js';
import type { ExchangeConnectionError } from '../../client/errors.js';
import { resolveFrameLimits, type FrameLimits } from '../../client/frame-guard.js';
import { JsonRpcCodec } from '../../client/json-rpc-codec.js';
import { DERIBIT_DEFAULTS } from '../../connection-defaults.js';
import { durationMs, integer } from '../../option-checks.js';
import type { SequenceInfo, VenueAdapter, VenueRpc, VenueSessionOptions } from '../venue-adapter.js';
import { isDeribitPrivateChannel } from './deribit-channels.js';
import { systemClock, type DeribitClock } from './deribit-clock.js';
import { isDeribitFatal, mapDeribitError } from './deribit-errors.js';
import { DEFAULT_RATE_LIMIT_RETRY, type RateLimitRetryOptions } from './deribit-rate-limit-retry.js';
import { deribitOverlapKey } from './deribit-overlap-key.js';
import { deribitSequenceOf, isDeribitSequencedChannel } from './deribit-sequence.js';
import { DeribitSession, type DeribitSessionConfig } from './deribit-session.js';

export interface DeribitAdapterOptions {
  /** Channels per subscribe/unsubscribe call (default 200). */
  maxChannelsPerCall?: number;
  /** When set, restore starts with `public/hello` announcing this client. */
  clientName?: string;
  /** Sent with `public/hello` (default '0.0.0'). */
  clientVersion?: string;
  /** Back-off for idempotent calls answered with 10028 (defaults: 5 attempts, 100 ms doubling, cap 2 s). */
  rateLimitRetry?: RateLimitRetryOptions;
  /** `data` signed in client_signature auth (default ''). */
  signatureData?: string;
  /** Bound on beforeClose's best-effort calls (default 2000 ms). */
  closeTimeoutMs?: number;
  /**
   * Bounds on one inbound frame, handed to every client built for this venue (default: nesting 128,
   * 8 MiB; Deribit sends nothing close to either). Frames above them are dropped as malformed.
   */
  frameLimits?: FrameLimits;
  /** Warnings (refresh failed, test_request answer failed). Never given a secret. */
  logger?: ClientLogger;
  /** Test seams. */
  clock?: DeribitClock;
  nonce?: () => string;
}

export class DeribitAdapter implements VenueAdapter {
  readonly venue = 'deribit';
  readonly frameLimits: Required<FrameLimits>;
  readonly #config: DeribitSessionConfig;

  constructor(options: DeribitAdapterOptions = {}) {
    const maxChannelsPerCall = integer('maxChannelsPerCall', options.maxChannelsPerCall, DERIBIT_DEFAULTS.maxChannelsPerCall, 1);
    const retry = options.rateLimitRetry;
    const rateLimitRetry: Required<RateLimitRetryOptions> = {
      maxAttempts: integer('rateLimitRetry.maxAttempts', retry?.maxAttempts, DEFAULT_RATE_LIMIT_RETRY.maxAttempts, 1),
      baseDelayMs: durationMs('rateLimitRetry.baseDelayMs', retry?.baseDelayMs, DEFAULT_RATE_LIMIT_RETRY.baseDelayMs, {
        zero: true,
      }),
      maxDelayMs: durationMs('rateLimitRetry.maxDelayMs', retry?.maxDelayMs, DEFAULT_RATE_LIMIT_RETRY.maxDelayMs, {
        zero: true,
      }),
    };
    this.frameLimits = resolveFrameLimits(options.frameLimits, DERIBIT_DEFAULTS.frameLimits);
    this.#config = {
      maxChannelsPerCall,
      rateLimitRetry,
      clock: options.clock ?? systemClock,
      clientName: options.clientName,
      clientVersion: options.clientVersion ?? '0.0.0',
      signatureData: options.signatureData,
      nonce: options.nonce,
      logger: options.logger,
      closeTimeoutMs: durationMs('closeTimeoutMs', options.closeTimeoutMs, DERIBIT_DEFAULTS.closeTimeoutMs),
    };
  }

  createSession(rpc: VenueRpc, options: VenueSessionOptions, onFatal: (error: ExchangeConnectionError) => void): DeribitSession {
    return new DeribitSession(rpc, options, onFatal, this.#config);
  }

  /** Deribit speaks JSON-RPC 2.0; its error codes are typed by `mapDeribitError`. */
  createCodec(): JsonRpcCodec {
    return new JsonRpcCodec(mapDeribitError);
  }

  // The methods below use no instance state, so they also work detached.
  isPrivateChannel(channel: string): boolean {
    return isDeribitPrivateChannel(channel);
  }

  sequenceOf(channel: string, data: unknown): SequenceInfo | undefined {
    return deribitSequenceOf(channel, data);
  }

  isSequencedChannel(channel: string): boolean {
    return isDeribitSequencedChannel(channel);
  }

  overlapKey(channel: string, data: unknown): number | undefined {
    return deribitOverlapKey(channel, data);
  }

  mapError(venueCode: number, message: string, method: string): ExchangeConnectionError {
    return mapDeribitError(venueCode, message, method);
  }

  isFatal(error: ExchangeConnectionError): boolean {
    return isDeribitFatal(error);
  }
}

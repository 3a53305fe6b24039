import type { ClientLogger } from '../../client/client-types.js';
import type { VenueMessage } from '../../client/venue-codec.js';
import { ExchangeConnectionError, isExchangeConnectionError } from '../../client/errors.js';
import { durationSec } from '../../option-checks.js';
import type { RestoreStep, RoutedNotification, VenueRpc, VenueSession, VenueSessionOptions } from '../venue-adapter.js';
import { DeribitAuthenticator } from './deribit-auth.js';
import {
  cancelOnDisconnectScope,
  DISABLE_CANCEL_ON_DISCONNECT,
  ENABLE_CANCEL_ON_DISCONNECT,
  type CancelOnDisconnectScope,
} from './deribit-cancel-on-disconnect.js';
import { isDeribitPrivateChannel } from './deribit-channels.js';
import type { DeribitClock } from './deribit-clock.js';
import { toDeribitError } from './deribit-errors.js';
import { DeribitHeartbeat } from './deribit-heartbeat.js';
import { retryOnRateLimit, type RateLimitRetryOptions } from './deribit-rate-limit-retry.js';
import { planSubscriptionCalls, runSubscriptionCalls, type SubscriptionAction } from './deribit-subscriptions.js';

const UNKNOWN: RoutedNotification = Object.freeze({ kind: 'unknown' });

/** Adapter-wide settings a session runs with (resolved defaults). */
export interface DeribitSessionConfig {
  maxChannelsPerCall: number;
  rateLimitRetry: Required<RateLimitRetryOptions>;
  clock: DeribitClock;
  clientName?: string;
  clientVersion: string;
  signatureData?: string;
  nonce?: () => string;
  logger?: ClientLogger;
  /** Bound on the best-effort calls of `beforeClose` (ms). */
  closeTimeoutMs: number;
}

/** One Deribit session on one socket: auth, heartbeat, cancel-on-disconnect, subscriptions. */
export class DeribitSession implements VenueSession {
  readonly #abort = new AbortController();
  readonly #auth: DeribitAuthenticator | undefined;
  readonly #heartbeat: DeribitHeartbeat;
  readonly #codScope: CancelOnDisconnectScope | undefined;
  #codEnabled = false;
  /** Reused for every routed frame of this session (the VenueSession contract allows it). */
  readonly #routed: { kind: 'data'; channel: string; data: unknown } = { kind: 'data', channel: '', data: undefined };
  #fatalReported = false;

  constructor(
    private readonly rpc: VenueRpc,
    private readonly options: VenueSessionOptions,
    private readonly onFatal: (error: ExchangeConnectionError) => void,
    private readonly config: DeribitSessionConfig,
  ) {
    if (options.heartbeatIntervalSec !== undefined) DeribitHeartbeat.enableParams(options.heartbeatIntervalSec);
    durationSec('refreshBeforeExpirySec', options.refreshBeforeExpirySec, 0, { zero: true });
    this.#codScope = cancelOnDisconnectScope(options.cancelOnDisconnect);
    this.#heartbeat = new DeribitHeartbeat(rpc, (error) =>
      config.logger?.warn('Deribit public/test answer to test_request failed', { code: errorCode(error) }),
    );
    if (options.credentials) {
      this.#auth = new DeribitAuthenticator({
        credentials: options.credentials,
        clock: config.clock,
        refreshBeforeExpirySec: options.refreshBeforeExpirySec,
        signatureData: config.signatureData,
        nonce: config.nonce,
        call: (method, params) => this.#call(method, params),
        onFatal: (error) => this.#reportFatal(error),
        onRefreshFailed: (error) => config.logger?.warn('Deribit token refresh failed; re-authenticating', { code: error.code }),
      });
    }
  }

  /** True once `public/auth` succeeded on this socket (and until dispose or a fatal re-auth failure). */
  get authenticated(): boolean {
    return this.#auth?.authenticated ?? false;
  }

  get cancelOnDisconnectEnabled(): boolean {
    return this.#codEnabled;
  }

  /** Order: hello (when a client name is set) → auth (with credentials) → heartbeat → cancel-on-disconnect. */
  async restore(onStep?: (step: RestoreStep) => void): Promise<void> {
    this.#assertLive();
    if (this.config.clientName !== undefined) {
      const params = { client_name: this.config.clientName, client_version: this.config.clientVersion };
      onStep?.('hello');
      await this.#call('public/hello', () => params);
    }
    if (this.#auth) {
      onStep?.('auth');
      await this.#auth.authenticate();
    }
    if (this.options.heartbeatIntervalSec !== undefined) {
      const params = DeribitHeartbeat.enableParams(this.options.heartbeatIntervalSec);
      onStep?.('heartbeat');
      await this.#call('public/set_heartbeat', () => params);
    }
    if (this.#codScope !== undefined) {
      if (!this.authenticated) {
        // A private method cannot succeed without a session; say so instead of failing silently.
        this.config.logger?.warn('Deribit cancel-on-disconnect is configured but the session has no credentials');
        return;
      }
      const scope = this.#codScope;
      onStep?.('cancel-on-disconnect');
      await this.#call(ENABLE_CANCEL_ON_DISCONNECT, () => ({ scope }));
      this.#codEnabled = true;
    }
  }

  subscribe(channels: readonly string[]): Promise<string[]> {
    return this.#subscription('subscribe', channels);
  }

  unsubscribe(channels: readonly string[]): Promise<string[]> {
    return this.#subscription('unsubscribe', channels);
  }

  /** Deribit messages are JSON-RPC notifications (the codec checked `method` and `params`). */
  route(message: VenueMessage): RoutedNotification {
    // Channel data first: nearly every frame is one.
    if (message.method === 'subscription') {
      const params = message.params as { channel?: unknown; data?: unknown } | undefined;
      if (typeof params?.channel !== 'string') return UNKNOWN;
      const routed = this.#routed;
      routed.channel = params.channel;
      routed.data = params.data;
      return routed;
    }
    return this.#heartbeat.route(message) ?? UNKNOWN;
  }

  /** Disables cancel-on-disconnect only when `disableCancelOnDisconnectOnClose` is set. Never throws. */
  async beforeClose(): Promise<void> {
    if (!this.options.disableCancelOnDisconnectOnClose || !this.#codEnabled || this.#abort.signal.aborted) return;
    try {
      await this.rpc.request(
        DISABLE_CANCEL_ON_DISCONNECT,
        { scope: this.#codScope },
        {
          timeoutMs: this.config.closeTimeoutMs,
        },
      );
      this.#codEnabled = false;
    } catch (error) {
      this.config.logger?.warn('Deribit disable_cancel_on_disconnect before close failed', {
        code: errorCode(toDeribitError(error, DISABLE_CANCEL_ON_DISCONNECT)),
      });
    }
  }

  dispose(): void {
    this.#abort.abort();
    this.#auth?.dispose();
    this.#heartbeat.dispose();
  }

  async #subscription(action: SubscriptionAction, channels: readonly string[]): Promise<string[]> {
    this.#assertLive();
    let wanted = channels;
    if (!this.authenticated) {
      // Without a session a private channel cannot be had; leave it out of the result (the way
      // Deribit leaves out names it does not know) rather than fail the public ones with it.
      const refused = channels.filter(isDeribitPrivateChannel);
      if (refused.length > 0) {
        this.config.logger?.warn('Deribit private channels need credentials; not subscribed', { channels: refused.length });
        wanted = channels.filter((c) => !isDeribitPrivateChannel(c));
      }
    }
    const calls = planSubscriptionCalls(action, wanted, isDeribitPrivateChannel, this.config.maxChannelsPerCall);
    let reauthenticated = false;
    return runSubscriptionCalls(calls, async (method, params) => {
      try {
        return await this.#call(method, () => params);
      } catch (error) {
        const auth = this.#auth;
        const expired = isExchangeConnectionError(error) && error.code === 'UNAUTHORIZED' && method.startsWith('private/');
        if (!expired || auth === undefined || reauthenticated) throw error;
        // The token died before its scheduled refresh (venue-side expiry, clock skew). One fresh
        // auth on this socket, then the same call again: subscribes are idempotent, and the
        // alternative is rebuilding a healthy session.
        reauthenticated = true;
        this.config.logger?.warn('Deribit private subscription unauthorized; re-authenticating on this socket', { method });
        await auth.authenticate();
        return this.#call(method, () => params);
      }
    });
  }

  /** Idempotent calls only: a 10028 answer is retried after a bounded back-off. */
  #call<T>(method: string, params: () => Record<string, unknown>): Promise<T> {
    return retryOnRateLimit(
      async () => {
        this.#assertLive();
        try {
          return await this.rpc.request<T>(method, params());
        } catch (error) {
          throw toDeribitError(error, method);
        }
      },
      this.config.clock,
      this.config.rateLimitRetry,
      this.#abort.signal,
    );
  }

  #assertLive(): void {
    if (this.#abort.signal.aborted) {
      throw new ExchangeConnectionError('NOT_CONNECTED', 'Deribit session was disposed');
    }
  }

  #reportFatal(error: ExchangeConnectionError): void {
    if (this.#fatalReported || this.#abort.signal.aborted) return;
    this.#fatalReported = true;
    this.onFatal(error);
  }
}

function errorCode(error: unknown): string {
  return isExchangeConnectionError(error) ? error.code : 'UNKNOWN';
}

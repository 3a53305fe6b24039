import { createHmac, randomBytes } from 'node:crypto';
import { ExchangeConnectionError, isExchangeConnectionError } from '../../client/errors.js';
import { DERIBIT_DEFAULTS, MAX_TIMER_MS } from '../../connection-defaults.js';
import type { VenueCredentials } from '../venue-adapter.js';
import type { DeribitClock } from './deribit-clock.js';

/** hex(HMAC-SHA256(secret, `${timestamp}\n${nonce}\n${data}`)), as `public/auth` client_signature expects. */
export function deribitSignature(secret: string, timestamp: number, nonce: string, data: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${nonce}\n${data}`).digest('hex');
}

export function randomNonce(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * When to refresh, in ms after the grant. With `refreshBeforeExpirySec` the margin is taken from
 * expiry; a margin as long as the token itself would refresh in a loop, so it falls back to the
 * default fraction, and one that leaves less than a tenth of the token's life is held there (at
 * most ten refreshes per lifetime). A lifetime longer than a timer holds is refreshed when the
 * timer can fire: early, which is the safe side.
 */
export function refreshDelayMs(expiresInSec: number, refreshBeforeExpirySec?: number): number {
  const { refreshAtFraction, minRefreshFraction } = DERIBIT_DEFAULTS.token;
  const fallback = expiresInSec * refreshAtFraction;
  const delaySec =
    refreshBeforeExpirySec === undefined || expiresInSec - refreshBeforeExpirySec <= 0
      ? fallback
      : Math.max(expiresInSec - refreshBeforeExpirySec, expiresInSec * minRefreshFraction);
  return Math.min(Math.round(delaySec * 1000), MAX_TIMER_MS);
}

export interface DeribitAuthParamsInput {
  credentials: VenueCredentials;
  now: number;
  nonce: string;
  /** Free-form `data` signed with client_signature (default ''). */
  signatureData?: string;
}

/** Params of a full `public/auth`; a fresh timestamp and nonce each time so a retry is never a replay. */
export function deribitAuthParams(input: DeribitAuthParamsInput): Record<string, unknown> {
  const { credentials } = input;
  if (credentials.kind === 'client_credentials') {
    return {
      grant_type: 'client_credentials',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    };
  }
  const data = input.signatureData ?? '';
  return {
    grant_type: 'client_signature',
    client_id: credentials.clientId,
    timestamp: input.now,
    nonce: input.nonce,
    data,
    signature: deribitSignature(credentials.clientSecret, input.now, input.nonce, data),
  };
}

interface AuthGrant {
  accessToken: string;
  refreshToken: string;
  expiresInSec: number;
}

function parseGrant(result: unknown): AuthGrant {
  const r = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>;
  if (typeof r.access_token !== 'string' || typeof r.refresh_token !== 'string' || typeof r.expires_in !== 'number') {
    // Deliberately no part of the result in the message: it holds tokens.
    throw new ExchangeConnectionError('VENUE_ERROR', 'Deribit public/auth returned a malformed result', {
      method: 'public/auth',
    });
  }
  return { accessToken: r.access_token, refreshToken: r.refresh_token, expiresInSec: usableLifetime(r.expires_in) };
}

/**
 * `expires_in` as a lifetime a session can live with. Below a second (or not finite: JSON's
 * `1e999`) it is a venue error: such a token would have to be refreshed in a loop, and a session
 * that cannot keep its token is not one to trust. Long lifetimes are fine (Deribit's own docs
 * show a year): the refresh timer is capped instead (refreshDelayMs).
 */
function usableLifetime(expiresIn: number): number {
  const { minLifetimeSec } = DERIBIT_DEFAULTS.token;
  if (!Number.isFinite(expiresIn) || expiresIn < minLifetimeSec) {
    throw new ExchangeConnectionError(
      'VENUE_ERROR',
      `Deribit public/auth returned an unusable expires_in (${String(expiresIn).slice(0, 32)} s; at least ${minLifetimeSec} s expected)`,
      { method: 'public/auth' },
    );
  }
  return expiresIn;
}

export interface DeribitAuthenticatorOptions {
  credentials: VenueCredentials;
  clock: DeribitClock;
  refreshBeforeExpirySec?: number;
  signatureData?: string;
  nonce?: () => string;
  /** Runs one `public/auth` call; the session wraps it with rate-limit retry and error typing. */
  call: <T>(method: string, params: () => Record<string, unknown>) => Promise<T>;
  /** Refresh and the re-auth fallback both failed: the session is unusable. */
  onFatal: (error: ExchangeConnectionError) => void;
  /** Informational: a refresh failed and a full re-auth is being tried. */
  onRefreshFailed?: (error: ExchangeConnectionError) => void;
}

/**
 * Owns the token of one socket: full auth, refresh before expiry on the same socket, fallback to a
 * full auth when the refresh is refused. Tokens live in private fields only.
 */
export class DeribitAuthenticator {
  #accessToken: string | undefined;
  #refreshToken: string | undefined;
  #expiresAt: number | undefined;
  #timer: unknown;
  #disposed = false;
  #refreshes = 0;

  constructor(private readonly options: DeribitAuthenticatorOptions) {}

  get authenticated(): boolean {
    return this.#accessToken !== undefined && !this.#disposed;
  }

  /** Epoch ms at which the current token expires, if any. */
  get expiresAt(): number | undefined {
    return this.#expiresAt;
  }

  /** Successful refreshes on this socket. */
  get refreshCount(): number {
    return this.#refreshes;
  }

  async authenticate(): Promise<void> {
    const nonce = this.options.nonce ?? randomNonce;
    const result = await this.options.call<unknown>('public/auth', () =>
      deribitAuthParams({
        credentials: this.options.credentials,
        now: this.options.clock.now(),
        nonce: nonce(),
        signatureData: this.options.signatureData,
      }),
    );
    this.#accept(parseGrant(result));
  }

  dispose(): void {
    this.#disposed = true;
    this.#clearTimer();
    this.#accessToken = undefined;
    this.#refreshToken = undefined;
  }

  #accept(grant: AuthGrant): void {
    if (this.#disposed) return;
    this.#accessToken = grant.accessToken;
    this.#refreshToken = grant.refreshToken;
    this.#expiresAt = this.options.clock.now() + grant.expiresInSec * 1000;
    this.#clearTimer();
    this.#timer = this.options.clock.setTimeout(
      () => void this.#refresh(),
      refreshDelayMs(grant.expiresInSec, this.options.refreshBeforeExpirySec),
    );
  }

  async #refresh(): Promise<void> {
    this.#timer = undefined;
    if (this.#disposed) return;
    const refreshToken = this.#refreshToken;
    try {
      if (refreshToken === undefined) throw new ExchangeConnectionError('UNAUTHORIZED', 'No Deribit refresh token');
      const result = await this.options.call<unknown>('public/auth', () => ({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }));
      if (this.#disposed) return;
      this.#accept(parseGrant(result));
      this.#refreshes++;
      return;
    } catch (error) {
      if (this.#disposed) return;
      this.options.onRefreshFailed?.(asError(error, 'Deribit token refresh failed'));
    }
    try {
      await this.authenticate();
    } catch (error) {
      if (this.#disposed) return;
      this.#accessToken = undefined;
      this.options.onFatal(asError(error, 'Deribit re-authentication after a failed refresh failed'));
    }
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

// A foreign error could carry anything in its message; wrap it as the cause instead of echoing it.
function asError(error: unknown, message: string): ExchangeConnectionError {
  return isExchangeConnectionError(error)
    ? error
    : new ExchangeConnectionError('CLIENT_FAULT', message, { method: 'public/auth', cause: error });
}

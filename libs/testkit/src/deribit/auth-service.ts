import { Buffer } from 'node:buffer';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FaultState } from '../shared/fault-state.js';
import { rpcErrors } from './deribit-errors.js';
import { DEFAULT_SCOPE, type TestExchangeAccount } from './test-exchange-options.js';

export interface AuthIdentity {
  readonly clientId: string;
  readonly scope: string;
}

export interface AuthGrantResult {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
  enabled_features: string[];
}

interface AccessTokenRecord extends AuthIdentity {
  readonly expiresAt: number;
}

export type ClientSignatureGrant = {
  clientId: string;
  timestamp: number;
  nonce: string;
  data: string;
  signature: string;
};

/** The string Deribit signs for `client_signature`: `timestamp \n nonce \n data`. */
export function clientSignaturePayload(timestamp: number, nonce: string, data: string): string {
  return `${timestamp}\n${nonce}\n${data}`;
}

/** Hex HMAC-SHA256 of the `client_signature` payload; exported for clients and tests. */
export function signClientSignature(secret: string, timestamp: number, nonce: string, data = ''): string {
  return createHmac('sha256', secret)
    .update(clientSignaturePayload(timestamp, nonce, data))
    .digest('hex');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Accounts and OAuth-like tokens. Tokens live in memory only, so a restart loses them like a real
 * venue restart would. Secrets never leave this class.
 */
export class AuthService {
  private readonly accounts = new Map<string, TestExchangeAccount>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, AuthIdentity>();
  constructor(
    accounts: readonly TestExchangeAccount[],
    private readonly faults: Pick<FaultState, 'rejectAuth'>,
    private readonly tokenTtlSec: number,
    private readonly signatureMaxSkewMs: number,
    private readonly now: () => number,
  ) {
    for (const account of accounts) this.accounts.set(account.clientId, account);
  }

  clientCredentials(clientId: string, clientSecret: string, scope: string | undefined): AuthGrantResult {
    const account = this.checkedAccount(clientId);
    if (!sameText(account.clientSecret, clientSecret)) throw rpcErrors.invalidCredentials();
    return this.issue({ clientId, scope: this.scopeFor(account, scope) });
  }

  clientSignature(grant: ClientSignatureGrant, scope: string | undefined): AuthGrantResult {
    const account = this.checkedAccount(grant.clientId);
    const expected = signClientSignature(account.clientSecret, grant.timestamp, grant.nonce, grant.data);
    if (!sameText(expected, grant.signature.toLowerCase())) throw rpcErrors.invalidCredentials();
    // A stale timestamp is a clock problem, not a wrong secret: Deribit lists bad signatures under 13009.
    if (Math.abs(this.now() - grant.timestamp) > this.signatureMaxSkewMs) {
      throw rpcErrors.unauthorized('timestamp_out_of_range');
    }
    return this.issue({ clientId: grant.clientId, scope: this.scopeFor(account, scope) });
  }

  refresh(refreshToken: string): AuthGrantResult {
    if (this.faults.rejectAuth) throw rpcErrors.invalidCredentials();
    const identity = this.refreshTokens.get(refreshToken);
    if (identity === undefined) throw rpcErrors.unauthorized('invalid_refresh_token');
    this.refreshTokens.delete(refreshToken);
    return this.issue(identity);
  }

  /** The identity behind a still-valid access token, else undefined. */
  validate(accessToken: string): AuthIdentity | undefined {
    const record = this.accessTokens.get(accessToken);
    if (record === undefined) return undefined;
    if (record.expiresAt <= this.now()) {
      this.accessTokens.delete(accessToken);
      return undefined;
    }
    return record;
  }

  /** Every access token stops working; refresh tokens keep working (Deribit's expiry model). */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** What a restart loses. */
  forgetTokens(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
  }

  private checkedAccount(clientId: string): TestExchangeAccount {
    if (this.faults.rejectAuth) throw rpcErrors.invalidCredentials();
    const account = this.accounts.get(clientId);
    if (account === undefined) throw rpcErrors.invalidCredentials();
    return account;
  }

  private scopeFor(account: TestExchangeAccount, requested: string | undefined): string {
    return requested ?? account.scope ?? DEFAULT_SCOPE;
  }

  private issue(identity: AuthIdentity): AuthGrantResult {
    const now = this.now();
    const accessToken = `${now}.${randomBytes(24).toString('base64url')}`;
    const refreshToken = `${now}.${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(accessToken, { ...identity, expiresAt: now + this.tokenTtlSec * 1000 });
    this.refreshTokens.set(refreshToken, identity);
    // A long soak issues a token pair per reconnect: keep memory bounded like a real venue would
    // (oldest first; Maps iterate in insertion order).
    trimOldest(this.accessTokens, MAX_LIVE_TOKENS);
    trimOldest(this.refreshTokens, MAX_LIVE_TOKENS);
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: this.tokenTtlSec,
      refresh_token: refreshToken,
      scope: identity.scope,
      enabled_features: [],
    };
  }
}

/** Tokens remembered at most (per kind); the oldest are forgotten first. */
const MAX_LIVE_TOKENS = 10_000;

function trimOldest(map: Map<string, unknown>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}

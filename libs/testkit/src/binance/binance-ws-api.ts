import type { FeedHub } from '../shared/feeds/feed-hub.js';
import type { BinanceCounters } from './binance-counters.js';
import { BinanceApiError, binanceErrors } from './binance-errors.js';
import type { BinanceAccount, ResolvedBinanceOptions } from './binance-options.js';
import type { BinanceSession, UserDataSubscription } from './binance-session.js';
import { ed25519Matches, hmacMatches, type SignedParams } from './binance-signature.js';

type ApiId = number | string | null;

/** The user data hub's only channel; streams are per account. */
export const USER_DATA_CHANNEL = 'userData';
export type UserDataChannel = { readonly kind: 'userData' };

/** Request weights (web-socket-api.md): ping and time 1, session and user data stream methods 2. */
const WEIGHTS: Readonly<Record<string, number>> = {
  ping: 1,
  time: 1,
  'session.logon': 2,
  'session.status': 2,
  'session.logout': 2,
  'session.subscriptions': 2,
  'userDataStream.subscribe': 2,
  'userDataStream.subscribe.signature': 2,
  'userDataStream.unsubscribe': 2,
};

/** Docs: a session supports up to 1,000 active subscriptions and 65,535 over its lifetime. */
const MAX_ACTIVE_SUBSCRIPTIONS = 1000;
const MAX_LIFETIME_SUBSCRIPTIONS = 65_535;

export interface WsApiContext {
  readonly options: ResolvedBinanceOptions;
  readonly counters: BinanceCounters;
  readonly userData: FeedHub<UserDataChannel>;
  readonly revokedKeys: ReadonlySet<string>;
  readonly faults: { readonly rejectAuth: boolean };
  readonly respond: (session: BinanceSession, frame: string, after?: ReadonlyArray<() => void>) => void;
  readonly log: (session: BinanceSession, method: string) => void;
  /** Adds `weight` to the minute window; false when the window is full. */
  readonly spendWeight: (weight: number) => { ok: boolean; used: number; retryAfter: number };
  /** `banIp`: until then (the exchange's clock) every request answers 418; 0 when none. */
  readonly bannedUntil: () => number;
}

function paramsOf(value: unknown): SignedParams {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as SignedParams) : {};
}

function requiredString(params: SignedParams, name: string): string {
  const value = params[name];
  if (typeof value !== 'string' || value === '') throw binanceErrors.mandatory(name);
  return value;
}

function requiredNumber(params: SignedParams, name: string): number {
  const value = params[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw binanceErrors.mandatory(name);
  return value;
}

/**
 * The spot WebSocket API subset for user data (web-socket-api.md): `ping`, `time`, `session.logon`
 * (Ed25519 keys), `session.status`, `session.logout`, `userDataStream.subscribe` (after logon),
 * `userDataStream.subscribe.signature`, `userDataStream.unsubscribe`, `session.subscriptions`.
 * Responses are `{id, status, result | error, rateLimits?}`; never throws.
 */
export class WsApiHandler {
  constructor(private readonly ctx: WsApiContext) {}

  handle(session: BinanceSession, text: string): void {
    let request: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      request = parsed as Record<string, unknown>;
    } catch {
      this.ctx.counters.malformedIn += 1;
      return this.fail(session, null, binanceErrors.invalidJson(), undefined);
    }
    const id: ApiId = typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null;
    if (typeof request.method !== 'string') return this.fail(session, id, binanceErrors.mandatory('method'), undefined);
    // Request method names may carry an explicit version ("v3/order.place").
    const method = request.method.replace(/^v3\//, '');
    this.ctx.counters.apiRequests += 1;
    this.ctx.log(session, method);
    const logon = session.logon;
    if (logon !== undefined && this.ctx.revokedKeys.has(logon.account.apiKey)) {
      // Docs: "after the next request the session will be revoked", answered with id null, 401, -2015.
      this.logout(session);
      return this.fail(session, null, binanceErrors.rejectedKey(), undefined);
    }
    const now = this.ctx.options.now();
    const bannedUntil = this.ctx.bannedUntil();
    if (bannedUntil > now) {
      this.ctx.counters.requestsWhileBanned += 1;
      return this.fail(session, id, binanceErrors.ipBanned(now, bannedUntil), undefined);
    }
    const weight = WEIGHTS[method] ?? 1;
    const spent = this.ctx.spendWeight(weight);
    const bucketShort = spent.ok && session.bucket !== undefined && !session.bucket.tryTake(now);
    if (!spent.ok || bucketShort) {
      this.ctx.counters.rateLimited += 1;
      // The answer states when a request fits again: the minute window's, or the bucket's refill.
      const retryAfter = spent.ok ? now + Math.min(60_000, session.bucket?.msUntilAvailable(now) ?? 0) : spent.retryAfter;
      return this.fail(
        session,
        id,
        binanceErrors.tooMuchWeight(this.ctx.options.requestWeightPerMinute, now, retryAfter),
        spent.used,
      );
    }
    try {
      const after: Array<() => void> = [];
      const result = this.execute(session, method, paramsOf(request.params), after);
      this.ctx.respond(session, this.frame(session, { id, status: 200, result }, spent.used), after);
    } catch (error) {
      const failure = error instanceof BinanceApiError ? error : binanceErrors.invalidJson();
      this.fail(session, id, failure, spent.used);
    }
  }

  /** Ends one subscription with `eventStreamTerminated` (unsubscribe, logout, a revoked key, the fault). */
  terminate(session: BinanceSession, subscription: UserDataSubscription): void {
    session.subscriptions.delete(subscription.subscriptionId);
    this.ctx.userData.remove(subscription, USER_DATA_CHANNEL);
    this.ctx.counters.eventStreamTerminated += 1;
    session.send(
      JSON.stringify({
        subscriptionId: subscription.subscriptionId,
        event: { e: 'eventStreamTerminated', E: this.ctx.options.now() },
      }),
    );
  }

  private execute(session: BinanceSession, method: string, params: SignedParams, after: Array<() => void>): unknown {
    const now = this.ctx.options.now();
    switch (method) {
      case 'ping':
        return {};
      case 'time':
        return { serverTime: now };
      case 'session.logon': {
        const account = this.verify(params, true);
        session.logon = { account, since: now };
        this.ctx.counters.logons += 1;
        return this.status(session);
      }
      case 'session.status':
        return this.status(session);
      case 'session.logout':
        this.logout(session);
        return this.status(session);
      case 'userDataStream.subscribe': {
        if (session.logon === undefined) throw binanceErrors.notLoggedOn();
        return this.subscribe(session, session.logon.account.apiKey, true, after);
      }
      case 'userDataStream.subscribe.signature': {
        const account = this.verify(params, false);
        return this.subscribe(session, account.apiKey, false, after);
      }
      case 'userDataStream.unsubscribe': {
        const only = params.subscriptionId;
        for (const subscription of [...session.subscriptions.values()]) {
          if (only === undefined || only === subscription.subscriptionId) after.push(() => this.terminate(session, subscription));
        }
        return {};
      }
      case 'session.subscriptions':
        return [...session.subscriptions.keys()].map((subscriptionId) => ({ subscriptionId }));
      default:
        throw binanceErrors.unknownMethod(method);
    }
  }

  private subscribe(
    session: BinanceSession,
    apiKey: string,
    viaLogon: boolean,
    after: Array<() => void>,
  ): { subscriptionId: number } {
    // Docs: one active subscription per account per connection.
    if ([...session.subscriptions.values()].some((s) => s.apiKey === apiKey)) {
      throw new BinanceApiError(400, { code: -1020, msg: 'A User Data Stream subscription for this account is already active.' });
    }
    if (session.subscriptions.size >= MAX_ACTIVE_SUBSCRIPTIONS || session.subscriptionsOpened >= MAX_LIFETIME_SUBSCRIPTIONS) {
      throw new BinanceApiError(400, { code: -1020, msg: 'Too many User Data Stream subscriptions on this session.' });
    }
    // Numbered per session from 0, as the docs' examples show.
    const subscriptionId = session.subscriptionsOpened;
    const subscription: UserDataSubscription = {
      subscriptionId,
      apiKey,
      viaLogon,
      send: (frame) => {
        session.send(frame);
      },
      encoder: (_channel, event) => JSON.stringify({ subscriptionId, event }),
    };
    session.subscriptions.set(subscriptionId, subscription);
    session.subscriptionsOpened += 1;
    this.ctx.userData.add(subscription, USER_DATA_CHANNEL, { kind: 'userData' }, apiKey);
    this.ctx.counters.userDataSubscriptions += 1;
    after.push(() => this.ctx.userData.activate(subscription, USER_DATA_CHANNEL));
    return { subscriptionId };
  }

  private logout(session: BinanceSession): void {
    // Docs: logout ends the subscription opened by userDataStream.subscribe, not the signature ones.
    for (const subscription of [...session.subscriptions.values()])
      if (subscription.viaLogon) this.terminate(session, subscription);
    session.logon = undefined;
  }

  /** Checks a SIGNED request: params, timing (recvWindow), key, signature. */
  private verify(params: SignedParams, logon: boolean): BinanceAccount {
    const apiKey = requiredString(params, 'apiKey');
    const timestamp = requiredNumber(params, 'timestamp');
    const signature = requiredString(params, 'signature');
    const recvWindow = params.recvWindow === undefined ? 5000 : requiredNumber(params, 'recvWindow');
    const serverTime = this.ctx.options.now();
    if (timestamp >= serverTime + 1000) throw binanceErrors.timestampAhead();
    if (serverTime - timestamp > Math.min(recvWindow, 60_000)) throw binanceErrors.timestampOutsideWindow();
    const account = this.ctx.options.accounts.find((candidate) => candidate.apiKey === apiKey);
    if (account === undefined || this.ctx.revokedKeys.has(apiKey) || this.ctx.faults.rejectAuth)
      throw binanceErrors.rejectedKey();
    if (logon && account.ed25519PublicKey === undefined) throw binanceErrors.logonNeedsEd25519();
    const valid =
      (account.ed25519PublicKey !== undefined && ed25519Matches(account.ed25519PublicKey, params, signature)) ||
      (!logon && account.secretKey !== undefined && hmacMatches(account.secretKey, params, signature));
    if (!valid) throw binanceErrors.invalidSignature();
    return account;
  }

  private status(session: BinanceSession): Record<string, unknown> {
    return {
      apiKey: session.logon?.account.apiKey ?? null,
      authorizedSince: session.logon?.since ?? null,
      connectedSince: session.openedAt,
      returnRateLimits: session.returnRateLimits,
      serverTime: this.ctx.options.now(),
      userDataStream: session.subscriptions.size > 0,
    };
  }

  private fail(session: BinanceSession, id: ApiId, error: BinanceApiError, used: number | undefined): void {
    this.ctx.counters.apiErrors += 1;
    this.ctx.respond(session, this.frame(session, { id, status: error.status, error: error.body }, used));
  }

  private frame(session: BinanceSession, body: Record<string, unknown>, used: number | undefined): string {
    if (!session.returnRateLimits || used === undefined) return JSON.stringify(body);
    const rateLimits = [
      {
        rateLimitType: 'REQUEST_WEIGHT',
        interval: 'MINUTE',
        intervalNum: 1,
        limit: this.ctx.options.requestWeightPerMinute,
        count: used,
      },
    ];
    return JSON.stringify({ ...body, rateLimits });
  }
}

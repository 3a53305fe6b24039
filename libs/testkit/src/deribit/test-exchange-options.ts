import { validateRateLimit, type RateLimitOptions } from '../shared/credit-bucket.js';
import type { ExchangeEvent } from '../shared/exchange-event.js';
import { requireNonEmpty, requireNumber as requireNumberOf, requirePath } from '../shared/option-checks.js';

export type { RateLimitOptions };

export interface TestExchangeAccount {
  clientId: string;
  clientSecret: string;
  /** Scope returned by `public/auth` when the request names none. */
  scope?: string;
}

/** What the exchange reports through `onEvent` (the same events for every venue). */
export type TestExchangeEvent = ExchangeEvent;

export interface TestExchangeOptions {
  host?: string;
  port?: number;
  path?: string;
  /** Seed of every generated feed: the same seed and the same calls give the same data. */
  seed?: number;
  /** How often each subscribed channel publishes; 0 = only on `publish()`. */
  feedIntervalMs?: number;
  accounts?: TestExchangeAccount[];
  tokenTtlSec?: number;
  /** Deribit's minimum is 10 s; tests lower it (fractions allowed). */
  minHeartbeatIntervalSec?: number;
  signatureMaxSkewMs?: number;
  rateLimit?: RateLimitOptions | false;
  /** Largest inbound frame answered normally (bytes); larger ones get -32600. Deribit: 32 kB. */
  maxPayload?: number;
  instruments?: string[];
  /** Milliseconds since the epoch; inject a fixed clock to make timestamps deterministic too. */
  now?: () => number;
  /** Upper bound of `requestLog` entries kept (oldest dropped). */
  requestLogLimit?: number;
  /**
   * Closes every socket (code 1000, reason `connection lifetime exceeded`) this long after it
   * opened, as venues with a socket lifetime do (Binance: 24 h). 0 (default): no limit, as Deribit.
   */
  connectionLifetimeMs?: number;
  onEvent?: (event: TestExchangeEvent) => void;
}

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly seed: number;
  readonly feedIntervalMs: number;
  readonly accounts: readonly TestExchangeAccount[];
  readonly tokenTtlSec: number;
  readonly minHeartbeatIntervalSec: number;
  readonly signatureMaxSkewMs: number;
  readonly rateLimit: RateLimitOptions | false;
  readonly maxPayload: number;
  readonly instruments: readonly string[];
  readonly now: () => number;
  readonly requestLogLimit: number;
  readonly connectionLifetimeMs: number;
  readonly onEvent: (event: TestExchangeEvent) => void;
}

export const DEFAULT_ACCOUNT: TestExchangeAccount = { clientId: 'test-client', clientSecret: 'test-secret' };
export const DEFAULT_SCOPE = 'connection mainaccount account:read_write trade:read_write wallet:read_write';

const OWNER = 'TestExchange';

function requireNumber(name: string, value: number, min: number): number {
  return requireNumberOf(OWNER, name, value, min);
}

/** Fills defaults and fails fast, naming the bad option. */
export function resolveOptions(options: TestExchangeOptions = {}): ResolvedOptions {
  const accounts = requireNonEmpty(OWNER, 'accounts', options.accounts ?? [DEFAULT_ACCOUNT]);
  for (const account of accounts) {
    if (!account.clientId || !account.clientSecret) {
      throw new RangeError('TestExchange option accounts: every account needs clientId and clientSecret');
    }
  }
  const instruments = requireNonEmpty(OWNER, 'instruments', options.instruments ?? ['BTC-PERPETUAL', 'ETH-PERPETUAL']);
  const path = requirePath(OWNER, 'path', options.path ?? '/ws/api/v2');
  return {
    host: options.host ?? '127.0.0.1',
    port: Math.trunc(requireNumber('port', options.port ?? 0, 0)),
    path,
    seed: Math.trunc(requireNumber('seed', options.seed ?? 1, Number.MIN_SAFE_INTEGER)),
    feedIntervalMs: requireNumber('feedIntervalMs', options.feedIntervalMs ?? 100, 0),
    accounts: accounts.map((account) => ({ ...account })),
    tokenTtlSec: requireNumber('tokenTtlSec', options.tokenTtlSec ?? 900, 1),
    minHeartbeatIntervalSec: requireNumber('minHeartbeatIntervalSec', options.minHeartbeatIntervalSec ?? 10, 0.001),
    signatureMaxSkewMs: requireNumber('signatureMaxSkewMs', options.signatureMaxSkewMs ?? 60_000, 0),
    rateLimit: validateRateLimit(options.rateLimit),
    maxPayload: requireNumber('maxPayload', options.maxPayload ?? 32 * 1024, 64),
    instruments,
    now: options.now ?? Date.now,
    requestLogLimit: requireNumber('requestLogLimit', options.requestLogLimit ?? 10_000, 1),
    connectionLifetimeMs: requireNumber('connectionLifetimeMs', options.connectionLifetimeMs ?? 0, 0),
    onEvent: options.onEvent ?? (() => undefined),
  };
}

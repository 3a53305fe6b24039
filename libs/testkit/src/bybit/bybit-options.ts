import { validateRateLimit, type RateLimitOptions } from '../shared/credit-bucket.js';
import type { ExchangeEvent } from '../shared/exchange-event.js';
import { requireNonEmpty, requireNumber, validateConnectionLimit, type ConnectionLimit } from '../shared/option-checks.js';

export interface BybitAccount {
  apiKey: string;
  apiSecret: string;
  /** Addresses this key may be used from (Bybit's IP binding); absent = any. Others get 10010. */
  allowedIps?: string[];
}

export interface BybitTestExchangeOptions {
  host?: string;
  port?: number;
  /** Seed of every generated feed: the same seed and the same calls give the same data. */
  seed?: number;
  /** How often each subscribed topic publishes; 0 = only on `publish()`. */
  feedIntervalMs?: number;
  accounts?: BybitAccount[];
  /** Symbols per public market (default BTCUSDT, ETHUSDT on both); private topics trade them too. */
  symbols?: { spot?: string[]; linear?: string[] };
  /** Bybit cuts a connection with neither ping-pong nor data for 10 minutes; tests lower it. */
  idleTimeoutMs?: number;
  /**
   * Scale of `max_active_time` on the private endpoint: `30s` lasts `30 × 1000 × activeTimeScale`
   * ms. 1 is the venue; tests use e.g. 0.01 so the documented 30 s–600 s range runs in 0.3–6 s.
   */
  activeTimeScale?: number;
  /** A level-1 book re-sends its snapshot (same `u`) after this long without a change; 0 = never. Bybit: 3 s. */
  level1ResnapshotMs?: number;
  /** Args per subscribe/unsubscribe request on the spot endpoint (Bybit: 10). */
  spotArgsPerRequest?: number;
  /** Total characters of the topics one public connection may hold (Bybit: 21,000). */
  argsCharsPerConnection?: number;
  /** Connection attempts per window; beyond it upgrades get HTTP 429. Bybit: 500 per 5 minutes. */
  connectionLimit?: ConnectionLimit | false;
  /** Credit bucket per connection for subscribe/unsubscribe/auth (pings are free); empty → 10006. */
  rateLimit?: RateLimitOptions | false;
  /** Largest inbound frame; ws closes a connection that sends a larger one with 1009. */
  maxPayload?: number;
  /** Milliseconds since the epoch; inject a fixed clock to make timestamps deterministic too. */
  now?: () => number;
  /** Upper bound of `opLog` entries kept (oldest dropped). */
  requestLogLimit?: number;
  onEvent?: (event: ExchangeEvent) => void;
}

export interface ResolvedBybitOptions {
  readonly host: string;
  readonly port: number;
  readonly seed: number;
  readonly feedIntervalMs: number;
  readonly accounts: readonly BybitAccount[];
  readonly symbols: { readonly spot: readonly string[]; readonly linear: readonly string[] };
  readonly idleTimeoutMs: number;
  readonly activeTimeScale: number;
  readonly level1ResnapshotMs: number;
  readonly spotArgsPerRequest: number;
  readonly argsCharsPerConnection: number;
  readonly connectionLimit: ConnectionLimit | false;
  readonly rateLimit: RateLimitOptions | false;
  readonly maxPayload: number;
  readonly now: () => number;
  readonly requestLogLimit: number;
  readonly onEvent: (event: ExchangeEvent) => void;
}

export const DEFAULT_BYBIT_ACCOUNT: BybitAccount = { apiKey: 'test-key', apiSecret: 'test-secret' };

const OWNER = 'BybitTestExchange';

/** Fills defaults and fails fast, naming the bad option. */
export function resolveBybitOptions(options: BybitTestExchangeOptions = {}): ResolvedBybitOptions {
  const accounts = requireNonEmpty(OWNER, 'accounts', options.accounts ?? [DEFAULT_BYBIT_ACCOUNT]);
  for (const account of accounts) {
    if (!account.apiKey || !account.apiSecret) {
      throw new RangeError(`${OWNER} option accounts: every account needs apiKey and apiSecret`);
    }
  }
  const symbols = {
    spot: requireNonEmpty(OWNER, 'symbols.spot', options.symbols?.spot ?? ['BTCUSDT', 'ETHUSDT']),
    linear: requireNonEmpty(OWNER, 'symbols.linear', options.symbols?.linear ?? ['BTCUSDT', 'ETHUSDT']),
  };
  return {
    host: options.host ?? '127.0.0.1',
    port: Math.trunc(requireNumber(OWNER, 'port', options.port ?? 0, 0, 65_535)),
    seed: Math.trunc(requireNumber(OWNER, 'seed', options.seed ?? 1, Number.MIN_SAFE_INTEGER)),
    feedIntervalMs: requireNumber(OWNER, 'feedIntervalMs', options.feedIntervalMs ?? 100, 0),
    accounts: accounts.map((account) => ({ ...account })),
    symbols,
    idleTimeoutMs: requireNumber(OWNER, 'idleTimeoutMs', options.idleTimeoutMs ?? 600_000, 1),
    activeTimeScale: requireNumber(OWNER, 'activeTimeScale', options.activeTimeScale ?? 1, 0.0001),
    level1ResnapshotMs: requireNumber(OWNER, 'level1ResnapshotMs', options.level1ResnapshotMs ?? 3000, 0),
    spotArgsPerRequest: Math.trunc(requireNumber(OWNER, 'spotArgsPerRequest', options.spotArgsPerRequest ?? 10, 1)),
    argsCharsPerConnection: Math.trunc(
      requireNumber(OWNER, 'argsCharsPerConnection', options.argsCharsPerConnection ?? 21_000, 1),
    ),
    connectionLimit: validateConnectionLimit(OWNER, options.connectionLimit, { max: 500, windowMs: 300_000 }),
    rateLimit: validateRateLimit(options.rateLimit),
    maxPayload: requireNumber(OWNER, 'maxPayload', options.maxPayload ?? 64 * 1024, 64),
    now: options.now ?? Date.now,
    requestLogLimit: requireNumber(OWNER, 'requestLogLimit', options.requestLogLimit ?? 10_000, 1),
    onEvent: options.onEvent ?? (() => undefined),
  };
}

import type { KeyObject } from 'node:crypto';
import { validateRateLimit, type RateLimitOptions } from '../shared/credit-bucket.js';
import type { ExchangeEvent } from '../shared/exchange-event.js';
import { requireNonEmpty, requireNumber, validateConnectionLimit, type ConnectionLimit } from '../shared/option-checks.js';

export interface BinanceAccount {
  apiKey: string;
  /** HMAC-SHA256 secret: signs `userDataStream.subscribe.signature` (hex signature). */
  secretKey?: string;
  /** Ed25519 public key (PEM or KeyObject): `session.logon` and base64 signatures. */
  ed25519PublicKey?: string | KeyObject;
}

/** Per-product values where spot and USDⓈ-M futures differ. */
export interface PerProduct<T> {
  spot: T;
  usdm: T;
}

export interface BinanceTestExchangeOptions {
  host?: string;
  port?: number;
  seed?: number;
  /** How often each subscribed stream publishes; 0 = only on `publish()`. */
  feedIntervalMs?: number;
  accounts?: BinanceAccount[];
  /** Symbols per product (default BTCUSDT, ETHUSDT on both); the user data stream trades the spot ones. */
  symbols?: Partial<PerProduct<string[]>>;
  /** Server ping period (Binance: spot and WebSocket API 20 s, futures 3 min). */
  pingIntervalMs?: Partial<PerProduct<number>>;
  /** How long a ping may go without its pong before the server disconnects (spot 1 min, futures 10 min). */
  pongTimeoutMs?: Partial<PerProduct<number>>;
  /** A connection is closed this long after it opened (Binance: 24 h). */
  connectionLifetimeMs?: number;
  /** Incoming messages (JSON, ping and pong frames) per second on market streams; above it the socket is closed. Spot 5, futures 10; `false` = off. */
  incomingMessageLimit?: PerProduct<number> | false;
  /** Streams one connection may hold (spot 1024; USDⓈ-M 1024 in the main docs, 200 in some copies). */
  maxStreamsPerConnection?: Partial<PerProduct<number>>;
  /** Connection attempts per window; beyond it upgrades get HTTP 429. Binance: 300 per 5 minutes. */
  connectionLimit?: ConnectionLimit | false;
  /** WebSocket API `REQUEST_WEIGHT` per minute (Binance: 6000); beyond it requests get 429 / -1003. */
  requestWeightPerMinute?: number;
  /** An extra credit bucket per WebSocket API connection (fault switch `setRateLimit`); empty → 429 / -1003. */
  rateLimit?: RateLimitOptions | false;
  /** Largest inbound frame; ws closes a connection that sends a larger one with 1009. */
  maxPayload?: number;
  /** How long a USDⓈ-M listenKey lives after its creation or last keepalive (Binance: 60 minutes). */
  listenKeyValidityMs?: number;
  now?: () => number;
  requestLogLimit?: number;
  onEvent?: (event: ExchangeEvent) => void;
}

export interface ResolvedBinanceOptions {
  readonly host: string;
  readonly port: number;
  readonly seed: number;
  readonly feedIntervalMs: number;
  readonly accounts: readonly BinanceAccount[];
  readonly symbols: Readonly<PerProduct<readonly string[]>>;
  readonly pingIntervalMs: Readonly<PerProduct<number>>;
  readonly pongTimeoutMs: Readonly<PerProduct<number>>;
  readonly connectionLifetimeMs: number;
  readonly incomingMessageLimit: Readonly<PerProduct<number>> | false;
  readonly maxStreamsPerConnection: Readonly<PerProduct<number>>;
  readonly connectionLimit: ConnectionLimit | false;
  readonly requestWeightPerMinute: number;
  readonly rateLimit: RateLimitOptions | false;
  readonly maxPayload: number;
  readonly listenKeyValidityMs: number;
  readonly now: () => number;
  readonly requestLogLimit: number;
  readonly onEvent: (event: ExchangeEvent) => void;
}

export const DEFAULT_BINANCE_ACCOUNT: BinanceAccount = { apiKey: 'test-key', secretKey: 'test-secret' };

const OWNER = 'BinanceTestExchange';

function perProduct(
  name: string,
  given: Partial<PerProduct<number>> | undefined,
  fallback: PerProduct<number>,
  min: number,
): PerProduct<number> {
  return {
    spot: requireNumber(OWNER, `${name}.spot`, given?.spot ?? fallback.spot, min),
    usdm: requireNumber(OWNER, `${name}.usdm`, given?.usdm ?? fallback.usdm, min),
  };
}

/** Fills defaults and fails fast, naming the bad option. */
export function resolveBinanceOptions(options: BinanceTestExchangeOptions = {}): ResolvedBinanceOptions {
  const accounts = requireNonEmpty(OWNER, 'accounts', options.accounts ?? [DEFAULT_BINANCE_ACCOUNT]);
  for (const account of accounts) {
    if (!account.apiKey || (account.secretKey === undefined && account.ed25519PublicKey === undefined)) {
      throw new RangeError(`${OWNER} option accounts: every account needs apiKey and secretKey or ed25519PublicKey`);
    }
  }
  const limit = options.incomingMessageLimit;
  return {
    host: options.host ?? '127.0.0.1',
    port: Math.trunc(requireNumber(OWNER, 'port', options.port ?? 0, 0, 65_535)),
    seed: Math.trunc(requireNumber(OWNER, 'seed', options.seed ?? 1, Number.MIN_SAFE_INTEGER)),
    feedIntervalMs: requireNumber(OWNER, 'feedIntervalMs', options.feedIntervalMs ?? 100, 0),
    accounts: accounts.map((account) => ({ ...account })),
    symbols: {
      spot: requireNonEmpty(OWNER, 'symbols.spot', options.symbols?.spot ?? ['BTCUSDT', 'ETHUSDT']),
      usdm: requireNonEmpty(OWNER, 'symbols.usdm', options.symbols?.usdm ?? ['BTCUSDT', 'ETHUSDT']),
    },
    pingIntervalMs: perProduct('pingIntervalMs', options.pingIntervalMs, { spot: 20_000, usdm: 180_000 }, 1),
    pongTimeoutMs: perProduct('pongTimeoutMs', options.pongTimeoutMs, { spot: 60_000, usdm: 600_000 }, 1),
    connectionLifetimeMs: requireNumber(OWNER, 'connectionLifetimeMs', options.connectionLifetimeMs ?? 86_400_000, 1),
    incomingMessageLimit: limit === false ? false : perProduct('incomingMessageLimit', limit, { spot: 5, usdm: 10 }, 1),
    maxStreamsPerConnection: perProduct(
      'maxStreamsPerConnection',
      options.maxStreamsPerConnection,
      { spot: 1024, usdm: 1024 },
      1,
    ),
    connectionLimit: validateConnectionLimit(OWNER, options.connectionLimit, { max: 300, windowMs: 300_000 }),
    requestWeightPerMinute: requireNumber(OWNER, 'requestWeightPerMinute', options.requestWeightPerMinute ?? 6000, 1),
    rateLimit: validateRateLimit(options.rateLimit),
    maxPayload: requireNumber(OWNER, 'maxPayload', options.maxPayload ?? 64 * 1024, 64),
    listenKeyValidityMs: requireNumber(OWNER, 'listenKeyValidityMs', options.listenKeyValidityMs ?? 3_600_000, 1),
    now: options.now ?? Date.now,
    requestLogLimit: requireNumber(OWNER, 'requestLogLimit', options.requestLogLimit ?? 10_000, 1),
    onEvent: options.onEvent ?? (() => undefined),
  };
}

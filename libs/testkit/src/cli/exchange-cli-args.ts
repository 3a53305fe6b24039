import { parseArgs } from 'node:util';
import type { BinanceTestExchangeOptions } from '../binance/binance-options.js';
import type { BybitTestExchangeOptions } from '../bybit/bybit-options.js';
import type { TestExchangeOptions } from '../deribit/test-exchange-options.js';
import type { RateLimitOptions } from '../shared/credit-bucket.js';

export const VENUES = ['deribit', 'bybit', 'binance'] as const;
export type Venue = (typeof VENUES)[number];

export const EXCHANGE_CLI_USAGE = `Usage: exchange-testkit [--venue deribit|bybit|binance] [options]
       (in this repository: npm run exchange -- [options])

Runs a venue-protocol test exchange on loopback, for testing exchange clients against real sockets
and injected faults. Deribit (JSON-RPC 2.0, API v2 subset) is the default venue.

Options for every venue:
  --venue NAME             deribit (default), bybit or binance
  --port N                 WebSocket port (default 8080; 0 = ephemeral)
  --host HOST              listen address (default 127.0.0.1)
  --seed N                 seed of the generated feeds (default 1)
  --feed-interval MS       publish period of each subscribed channel (default 100; 0 = never)
  --rate-limit CAP:REFILL  credit bucket per connection, e.g. 20:10 (default off)
  --control-port N         also serve the fault-control HTTP API on 127.0.0.1:N
  --help                   show this text

Deribit (/ws/api/v2):
  --min-heartbeat SEC      lowest public/set_heartbeat interval accepted (default 10)
  --client-id ID           account client id (default test-client)
  --client-secret SECRET   account client secret (default test-secret)
  --token-ttl SEC          access token lifetime, expires_in (default 900)

Bybit (/v5/public/spot, /v5/public/linear, /v5/private):
  --api-key KEY            account API key (default test-key; Binance too)
  --api-secret SECRET      account API secret (default test-secret; Binance: the HMAC secret key)
  --idle-timeout MS        cut after this long without ping or data (default 600000, Bybit's 10 minutes)

Binance (/ws, /stream, /ws-api/v3, /api/v3/depth; USD-M /public, /market, /private, /fapi/v1/depth, /fapi/v1/listenKey):
  --lifetime MS            close every connection this long after it opened (default 86400000, 24 h)
  --ping-interval MS       server ping period, every product (default spot 20000, USD-M 180000)
  --pong-timeout MS        disconnect when a ping's pong is this late (default spot 60000, USD-M 600000)
  --no-message-limit       do not enforce the 5/s (spot) and 10/s (USD-M) incoming-message limit
  --listen-key-validity MS how long a USD-M listenKey lives after its last keepalive (default 3600000, 60 min)

Examples:
  exchange-testkit --port 8080
  exchange-testkit --venue bybit --port 8080 --control-port 8081 --idle-timeout 30000
  exchange-testkit --venue binance --port 8080 --lifetime 60000 --ping-interval 5000
  curl -X POST 'localhost:8081/faults/close?code=1012'`;

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export type ExchangeCliCommand =
  | { kind: 'help' }
  | { kind: 'run'; venue: 'deribit'; exchange: TestExchangeOptions; controlPort: number | undefined }
  | { kind: 'run'; venue: 'bybit'; exchange: BybitTestExchangeOptions; controlPort: number | undefined }
  | { kind: 'run'; venue: 'binance'; exchange: BinanceTestExchangeOptions; controlPort: number | undefined };

/** Options only some venues take; giving one to another venue is a usage error. */
const VENUE_OPTIONS: Readonly<Record<string, readonly Venue[]>> = {
  'min-heartbeat': ['deribit'],
  'client-id': ['deribit'],
  'client-secret': ['deribit'],
  'token-ttl': ['deribit'],
  'api-key': ['bybit', 'binance'],
  'api-secret': ['bybit', 'binance'],
  'idle-timeout': ['bybit'],
  lifetime: ['binance'],
  'ping-interval': ['binance'],
  'pong-timeout': ['binance'],
  'no-message-limit': ['binance'],
  'listen-key-validity': ['binance'],
};

function number(name: string, raw: string | undefined, min: number, integer = false): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new CliUsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min} (got "${raw}")`);
  }
  return value;
}

function port(name: string, raw: string | undefined): number | undefined {
  const value = number(name, raw, 0, true);
  if (value !== undefined && value > 65_535) throw new CliUsageError(`--${name} must be at most 65535 (got "${raw}")`);
  return value;
}

function rateLimit(raw: string | undefined): RateLimitOptions | false {
  if (raw === undefined) return false;
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(raw);
  if (match === null || Number(match[1]) < 1) {
    throw new CliUsageError(`--rate-limit must be CAPACITY:REFILL_PER_SEC with capacity >= 1, e.g. 20:10 (got "${raw}")`);
  }
  return { capacity: Number(match[1]), refillPerSec: Number(match[2]) };
}

/** Parses the command line; throws `CliUsageError` naming the bad option. */
export function parseExchangeCliArgs(argv: readonly string[]): ExchangeCliCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        venue: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'feed-interval': { type: 'string' },
        'rate-limit': { type: 'string' },
        'control-port': { type: 'string' },
        'min-heartbeat': { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'token-ttl': { type: 'string' },
        'api-key': { type: 'string' },
        'api-secret': { type: 'string' },
        'idle-timeout': { type: 'string' },
        lifetime: { type: 'string' },
        'ping-interval': { type: 'string' },
        'pong-timeout': { type: 'string' },
        'no-message-limit': { type: 'boolean' },
        'listen-key-validity': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { kind: 'help' };
  const text = (name: string): string | undefined => {
    const value = values[name];
    if (value === '') throw new CliUsageError(`--${name} must not be empty`);
    return typeof value === 'string' ? value : undefined;
  };
  const venueName = text('venue') ?? 'deribit';
  if (!(VENUES as readonly string[]).includes(venueName)) {
    throw new CliUsageError(`--venue must be one of ${VENUES.join(', ')} (got "${venueName}")`);
  }
  const venue = venueName as Venue;
  for (const [option, venues] of Object.entries(VENUE_OPTIONS)) {
    if (values[option] !== undefined && !venues.includes(venue)) {
      throw new CliUsageError(`--${option} applies to --venue ${venues.join('/')} only`);
    }
  }
  const common = {
    port: port('port', text('port')) ?? 8080,
    host: text('host') ?? '127.0.0.1',
    seed: number('seed', text('seed'), Number.MIN_SAFE_INTEGER, true) ?? 1,
    feedIntervalMs: number('feed-interval', text('feed-interval'), 0) ?? 100,
    rateLimit: rateLimit(text('rate-limit')),
  };
  const controlPort = port('control-port', text('control-port'));
  if (venue === 'bybit') {
    const exchange: BybitTestExchangeOptions = {
      ...common,
      idleTimeoutMs: number('idle-timeout', text('idle-timeout'), 1) ?? 600_000,
      accounts: [{ apiKey: text('api-key') ?? 'test-key', apiSecret: text('api-secret') ?? 'test-secret' }],
    };
    return { kind: 'run', venue, exchange, controlPort };
  }
  if (venue === 'binance') {
    const ping = number('ping-interval', text('ping-interval'), 1);
    const pong = number('pong-timeout', text('pong-timeout'), 1);
    const exchange: BinanceTestExchangeOptions = {
      ...common,
      connectionLifetimeMs: number('lifetime', text('lifetime'), 1) ?? 86_400_000,
      accounts: [{ apiKey: text('api-key') ?? 'test-key', secretKey: text('api-secret') ?? 'test-secret' }],
      ...(ping === undefined ? {} : { pingIntervalMs: { spot: ping, usdm: ping } }),
      ...(pong === undefined ? {} : { pongTimeoutMs: { spot: pong, usdm: pong } }),
      ...(values['no-message-limit'] === true ? { incomingMessageLimit: false as const } : {}),
      listenKeyValidityMs: number('listen-key-validity', text('listen-key-validity'), 1) ?? 3_600_000,
    };
    return { kind: 'run', venue, exchange, controlPort };
  }
  const exchange: TestExchangeOptions = {
    ...common,
    minHeartbeatIntervalSec: number('min-heartbeat', text('min-heartbeat'), 0.001) ?? 10,
    tokenTtlSec: number('token-ttl', text('token-ttl'), 1) ?? 900,
    accounts: [{ clientId: text('client-id') ?? 'test-client', clientSecret: text('client-secret') ?? 'test-secret' }],
  };
  return { kind: 'run', venue, exchange, controlPort };
}

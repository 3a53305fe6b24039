import { BINANCE_DEFAULTS, BinanceAdapter, type BinanceRequestPauseOption, RequestedPause } from '@exchange-connection/core';
import { z } from 'zod';
import type { BinanceVenueSettings } from '../module/exchange-connection-options.js';
import { CONFIG_LIMITS, duration, integer } from '../config/schema-parts.js';
import { shownValue } from '../config/shown-value.js';
import type { VenueDefinition } from './venue-definition.js';
import { marketFromUrl } from './market-from-url.js';

const MARKETS = ['spot', 'futures-public', 'futures-market', 'user-data', 'futures-user-data'] as const;

/** Endpoint paths that name a market (a bare origin names none: then the market must be set). */
const MARKET_OF_PATH: ReadonlyArray<[RegExp, BinanceVenueSettings['market']]> = [
  [/\/ws-api\/v3\/?$/, 'user-data'],
  [/\/private(\/ws)?\/?$/, 'futures-user-data'],
  [/\/public(\/stream)?\/?$/, 'futures-public'],
  [/\/market(\/stream)?\/?$/, 'futures-market'],
  [/\/(stream|ws)\/?$/, 'spot'],
];

const httpUrl = z.string().refine(
  (value) => {
    try {
      const { protocol } = new URL(value);
      return protocol === 'http:' || protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: 'must be an http:// or https:// URL' },
);

const REQUEST_PAUSES: readonly unknown[] = ['shared', 'private'] satisfies BinanceRequestPauseOption[];

/**
 * A word from the environment or code, or a pause object from code, passed on as it is so that
 * whoever holds it shares it (a zod object schema would check a copy, never the instance). A
 * string gets the message of every other enum variable, value shown; only code can give an object.
 */
const requestPause = z.custom<BinanceRequestPauseOption>(
  (value) => value instanceof RequestedPause || REQUEST_PAUSES.includes(value),
  {
    error: (issue) =>
      typeof issue.input === 'string'
        ? `must be one of ${REQUEST_PAUSES.join(', ')} (got ${shownValue(issue.input)})`
        : "must be 'shared', 'private' or a RequestedPause",
  },
);

/**
 * Binance: at most 1024 streams per socket (a shard budget), 5 frames/s out on spot, every socket
 * cut after 24 h (rotated ahead of it), books stitched to a REST snapshot.
 */
export const BINANCE_VENUE: VenueDefinition<BinanceVenueSettings> = {
  settings: z.object({
    market: z.enum(MARKETS),
    restUrl: httpUrl.optional(),
    maxStreamsPerSocket: integer(CONFIG_LIMITS.binanceMaxStreamsPerSocket).optional(),
    maxShards: integer(CONFIG_LIMITS.binanceMaxShards).optional(),
    maxSocketLifetimeMs: duration(CONFIG_LIMITS.binanceMaxSocketLifetimeMs).optional(),
    requestPause: requestPause.optional(),
  }),
  settingsRequired: true,
  env: [
    {
      key: 'MARKET',
      path: ['binance', 'market'],
      kind: 'enum',
      default: '',
      requiredHint:
        'spot, futures-public, futures-market, user-data or futures-user-data; read from the URL when its path is /stream, /public, /market, /ws-api/v3 or /private',
    },
    { key: 'REST_URL', path: ['binance', 'restUrl'], kind: 'string', default: '' },
    // Unset: the adapter's 24 h. Only a test exchange with a shorter cut needs it; the rotation
    // settings are checked against it.
    { key: 'MAX_SOCKET_LIFETIME_MS', path: ['binance', 'maxSocketLifetimeMs'], kind: 'int', default: '' },
    // Unset: the adapter's own default ('shared'), not restated here, so the two cannot drift apart.
    { key: 'REQUEST_PAUSE', path: ['binance', 'requestPause'], kind: 'enum', default: '' },
  ],
  urlHint:
    'ws:// or wss:// endpoint, e.g. wss://stream.binance.com:9443/stream (or wss://fstream.binance.com/public, /private for USDⓈ-M user data)',
  socketLifetimeMs: (settings) => settings?.maxSocketLifetimeMs ?? BINANCE_DEFAULTS.maxSocketLifetimeMs,
  completeFromEnv(settings, url) {
    if (settings.market !== undefined || url === undefined) return;
    const market = marketFromUrl(url, MARKET_OF_PATH);
    if (market !== undefined) settings.market = market;
  },
  refine(config, ctx) {
    const market = config.settings?.market;
    if ((market === 'user-data' || market === 'futures-user-data') && config.session?.credentials === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['session', 'credentials', 'clientId'],
        message:
          market === 'user-data'
            ? "is required for Binance market 'user-data' (the API key, with its secret)"
            : "is required for Binance market 'futures-user-data' (the API key that gets the listenKey)",
      });
    }
    const cancel = config.session?.cancelOnDisconnect;
    if (cancel !== undefined && cancel !== false) {
      ctx.addIssue({
        code: 'custom',
        path: ['session', 'cancelOnDisconnect'],
        message: "is not available on Binance's WebSocket streams (leave it false)",
      });
    }
  },
  createAdapter: (settings, logger) => {
    // The schema requires the block for Binance; a missing one reaches the adapter's own check.
    const { market, ...options } = settings ?? ({} as Partial<BinanceVenueSettings>);
    return new BinanceAdapter({ ...options, market: market as BinanceVenueSettings['market'], logger });
  },
};

import { BybitAdapter } from '@exchange-connection/core';
import { z } from 'zod';
import type { BybitVenueSettings } from '../module/exchange-connection-options.js';
import { CONFIG_LIMITS, integer } from '../config/schema-parts.js';
import type { VenueDefinition } from './venue-definition.js';
import { marketFromUrl } from './market-from-url.js';

const MARKETS = ['spot', 'linear', 'private'] as const;

/** The v5 endpoint paths, to take the market from a URL that names one. */
const MARKET_OF_PATH: ReadonlyArray<[RegExp, BybitVenueSettings['market']]> = [
  [/\/v5\/public\/spot\/?$/, 'spot'],
  [/\/v5\/public\/linear\/?$/, 'linear'],
  [/\/v5\/private\/?$/, 'private'],
];

/**
 * Bybit v5: one endpoint per market. Public sockets carry at most 21,000 characters of topics, so
 * the adapter declares a shard budget and a connection may open several sockets.
 */
export const BYBIT_VENUE: VenueDefinition<BybitVenueSettings> = {
  settings: z.object({
    market: z.enum(MARKETS),
    maxArgsPerRequest: integer(CONFIG_LIMITS.bybitMaxArgsPerRequest).optional(),
    maxShards: integer(CONFIG_LIMITS.bybitMaxShards).optional(),
    maxArgsChars: integer(CONFIG_LIMITS.bybitMaxArgsChars).optional(),
    maxActiveTimeSec: integer(CONFIG_LIMITS.bybitMaxActiveTimeSec).optional(),
  }),
  settingsRequired: true,
  env: [
    {
      key: 'MARKET',
      path: ['bybit', 'market'],
      kind: 'enum',
      default: '',
      requiredHint:
        'spot, linear or private; read from the URL when it ends in /v5/public/spot, /v5/public/linear or /v5/private',
    },
    { key: 'MAX_ACTIVE_TIME_SEC', path: ['bybit', 'maxActiveTimeSec'], kind: 'int', default: '' },
  ],
  urlHint: 'ws:// or wss:// endpoint, e.g. wss://stream.bybit.com/v5/public/linear (or /v5/public/spot, /v5/private)',
  completeFromEnv(settings, url) {
    if (settings.market !== undefined || url === undefined) return;
    const market = marketFromUrl(url, MARKET_OF_PATH);
    if (market !== undefined) settings.market = market;
  },
  refine(config, ctx) {
    const market = config.settings?.market;
    if (market === 'private' && config.session?.credentials === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['session', 'credentials', 'clientId'],
        message: "is required for Bybit market 'private' (the API key, with its secret)",
      });
    }
    if (market !== undefined && market !== 'private' && config.settings?.maxActiveTimeSec !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['bybit', 'maxActiveTimeSec'], message: "applies to Bybit market 'private' only" });
    }
    const cancel = config.session?.cancelOnDisconnect;
    if (cancel !== undefined && cancel !== false) {
      // The adapter would silently not do it: orders left open by a drop must not be a surprise.
      ctx.addIssue({
        code: 'custom',
        path: ['session', 'cancelOnDisconnect'],
        message: "is not available on Bybit's WebSocket (leave it false; Bybit's DCP is set over REST)",
      });
    }
  },
  createAdapter: (settings, logger) => {
    // The schema requires the block for Bybit; a missing one reaches the adapter's own check.
    const { market, ...options } = settings ?? ({} as Partial<BybitVenueSettings>);
    return new BybitAdapter({ ...options, market: market as BybitVenueSettings['market'], logger });
  },
};

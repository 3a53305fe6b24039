import type { Clock } from '../../client/clock.js';
import { ExchangeConnectionError } from '../../client/errors.js';
import { RequestedPause } from '../requested-pause.js';
import { sharedRequestedPause } from '../requested-pause-registry.js';
import type { BinanceMarket } from './binance-streams.js';

/**
 * The limits a Binance request counts against, per IP: `spot` (the spot REST API and the spot
 * WebSocket API share request weight and bans) or `usdm` (USDⓈ-M futures, `fapi`, counted apart).
 */
type BinanceLimitsDomain = 'spot' | 'usdm';

/**
 * Which pause an adapter's REST snapshots, listenKey calls and WebSocket API requests wait on:
 * `'shared'` (default) the process's one pause for the market's limits domain and REST origin;
 * `'private'` the adapter's own; or a `RequestedPause` the caller shares as it sees fit.
 */
export type BinanceRequestPauseOption = 'shared' | 'private' | RequestedPause;

const DOMAIN_LABEL: Readonly<Record<BinanceLimitsDomain, string>> = { spot: 'spot', usdm: 'USDⓈ-M' };

function binanceLimitsDomain(market: BinanceMarket): BinanceLimitsDomain {
  return market === 'spot' || market === 'user-data' ? 'spot' : 'usdm';
}

/**
 * The adapter's pause. Shared ones are keyed by limits domain and the REST base's origin (scheme,
 * host, port): Binance counts per IP, and the origin is the nearest thing to an IP an adapter knows;
 * it also keeps two test exchanges on different ports apart. A spot `user-data` adapter sends its
 * requests over the WebSocket API, yet keys on its `restUrl` too: the spot REST API and the
 * WebSocket API share their limits, so it waits with the spot market adapters of the same REST base.
 */
export function binanceRequestPause(
  option: BinanceRequestPauseOption | undefined,
  market: BinanceMarket,
  restUrl: string,
  clock: Clock,
): RequestedPause {
  const domain = binanceLimitsDomain(market);
  const where = new URL(restUrl);
  // The host only: a REST base might carry credentials in its userinfo, and a label is logged.
  const label = `Binance ${DOMAIN_LABEL[domain]} (${where.host})`;
  if (option === undefined || option === 'shared') return sharedRequestedPause(clock, `binance ${domain} ${where.origin}`, label);
  if (option === 'private') return new RequestedPause(label, clock);
  if (option instanceof RequestedPause) return option;
  throw new ExchangeConnectionError('INVALID_CONFIG', "Binance requestPause must be 'shared', 'private' or a RequestedPause");
}

import { BinanceAdapter, type BinanceFetch, ExchangeConnectionError, RequestedPause } from '@exchange-connection/core';
import { exchangeConnectionsFromEnv } from '../config/exchange-connections-from-env.js';
import { validateModuleOptions } from '../config/validate-config.js';
import type { BinanceVenueSettings } from '../module/exchange-connection-options.js';
import { BINANCE_VENUE } from './binance-venue.js';

/**
 * The adapters are built as the connection factory builds them (BINANCE_VENUE.createAdapter on a
 * validated settings block); what their pause is shows in `requestPauseMs` once a ban is told.
 */

/** An origin of its own: the process's shared pauses are keyed by it, so no other spec shares these. */
const REST = 'http://127.0.0.1:4199';
const BAN_SEC = 120;
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** Every REST call answered as Binance answers a banned IP: 418 with a Retry-After in seconds. */
const bannedFetch: BinanceFetch = () =>
  Promise.resolve({
    status: 418,
    headers: { get: (name: string) => (name.toLowerCase() === 'retry-after' ? String(BAN_SEC) : null) },
    json: () => Promise.resolve({ code: -1003, msg: 'Way too many requests; IP banned.' }),
  });

/**
 * Tells the process's shared USDⓈ-M pause of REST's origin about a ban, the way a connection learns
 * of one: another adapter on those limits (default pause) asks for a listenKey and is answered 418.
 */
async function banSharedUsdm(): Promise<void> {
  const witness = new BinanceAdapter({ market: 'futures-user-data', restUrl: REST, fetch: bannedFetch, logger: quiet });
  const abort = new AbortController();
  const session = { credentials: { kind: 'client_signature' as const, clientId: 'key', clientSecret: 'secret' } };
  const lease = witness.prepareSocket?.('ws://127.0.0.1:4199/private', session, abort.signal);
  // The retry waits out the ban it was just told: stop it there.
  for (let i = 0; i < 100 && witness.requestPauseMs === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  abort.abort();
  await lease?.catch((error: unknown) => {
    if (!(error instanceof ExchangeConnectionError)) throw error;
  });
  expect(witness.requestPauseMs).toBeGreaterThan((BAN_SEC - 10) * 1000);
}

function adapterFromEnv(env: Record<string, string>): BinanceAdapter {
  const base = { BINANCE_VENUE: 'binance', BINANCE_URL: 'wss://fstream.binance.com/public', BINANCE_REST_URL: REST };
  const settings = exchangeConnectionsFromEnv({ ...base, ...env }, ['binance']).connections[0]?.binance;
  return BINANCE_VENUE.createAdapter(settings, quiet) as BinanceAdapter;
}

function adapterFromCode(settings: BinanceVenueSettings): BinanceAdapter {
  const connection = { name: 'binance', venue: 'binance', url: 'wss://fstream.binance.com/public', binance: settings };
  validateModuleOptions({ connections: [connection] });
  return BINANCE_VENUE.createAdapter(settings, quiet) as BinanceAdapter;
}

describe('a Binance connection’s request pause', () => {
  it('shared by default and with BINANCE_REQUEST_PAUSE=shared; its own with private', async () => {
    const byDefault = adapterFromEnv({});
    const shared = adapterFromEnv({ BINANCE_REQUEST_PAUSE: 'shared' });
    const own = adapterFromEnv({ BINANCE_REQUEST_PAUSE: 'private' });
    const fromCode = adapterFromCode({ market: 'futures-public', restUrl: REST, requestPause: 'private' });
    await banSharedUsdm();
    expect(byDefault.requestPauseMs).toBeGreaterThan(0);
    expect(shared.requestPauseMs).toBeGreaterThan(0);
    expect([own.requestPauseMs, fromCode.requestPauseMs]).toEqual([0, 0]);
  });

  it('a RequestedPause given in code reaches the adapter as it is', () => {
    const given = new RequestedPause('Binance, this IP');
    const spot = adapterFromCode({ market: 'spot', restUrl: 'http://127.0.0.1:4198', requestPause: given });
    const futures = adapterFromCode({ market: 'futures-public', restUrl: REST, requestPause: given });
    given.note(new ExchangeConnectionError('RATE_LIMITED', 'banned', { retryAfterMs: 5_000 }));
    expect(spot.requestPauseMs).toBeGreaterThan(4_000);
    expect(futures.requestPauseMs).toBeGreaterThan(4_000);
  });
});

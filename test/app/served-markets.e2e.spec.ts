import type { ExchangeConnectionConfig } from '@exchange-connection/nestjs';
import { createMarketDataApp } from '../../apps/market-data/src/bootstrap.js';
import { refuseUnservedMarket } from '../../apps/market-data/src/venues/app-venues.js';
import { expectConfigError, expectStartRefused } from './app-from-env.js';

/**
 * The example app's channel tables are for Binance spot and Bybit spot / linear: a connection on
 * another market (Binance USDⓈ-M or user data, Bybit private) is refused at startup, naming what to
 * change, instead of starting and having every channel it consumes refused by the venue.
 */
describe('markets the example app serves', () => {
  it.each([
    [
      'a Binance USDⓈ-M URL',
      { EXCHANGE_CONNECTIONS: 'binance', BINANCE_URL: 'wss://fstream.binance.com/public' },
      /connection 'binance' is on binance market 'futures-public', which this app does not serve \(its binance channels are for spot\): change BINANCE_URL or BINANCE_MARKET$/,
    ],
    [
      'BINANCE_MARKET=user-data with a venue URL',
      {
        EXCHANGE_CONNECTIONS: 'binance',
        BINANCE_URL: 'wss://ws-api.binance.com:443/ws-api/v3',
        BINANCE_CLIENT_ID: 'key',
        BINANCE_CLIENT_SECRET: 'secret',
      },
      /binance market 'user-data', which this app does not serve.*change BINANCE_URL or BINANCE_MARKET$/,
    ],
    [
      // The embedded test exchange would serve spot whatever was asked: said before it starts.
      'BINANCE_MARKET=futures-market with BINANCE_URL=embedded',
      { EXCHANGE_CONNECTIONS: 'binance', BINANCE_URL: 'embedded', BINANCE_MARKET: 'futures-market' },
      /binance market 'futures-market', which this app does not serve.*: change BINANCE_MARKET$/,
    ],
    [
      'a Bybit private URL',
      {
        EXCHANGE_CONNECTIONS: 'bybit',
        BYBIT_URL: 'wss://stream.bybit.com/v5/private',
        BYBIT_CLIENT_ID: 'key',
        BYBIT_CLIENT_SECRET: 'secret',
      },
      /bybit market 'private', which this app does not serve \(its bybit channels are for spot and linear\): change BYBIT_URL or BYBIT_MARKET$/,
    ],
  ])('%s is a config error naming what to change, and starts nothing', async (_name, env, pattern) => {
    await expectConfigError(env, pattern);
  });

  it('connections built in code are checked too, naming the connection', async () => {
    await expectStartRefused(
      () =>
        createMarketDataApp({
          connections: {
            connections: [
              { name: 'perps', venue: 'binance', url: 'ws://127.0.0.1:1/public', binance: { market: 'futures-public' } },
            ],
          },
          logger: false,
        }),
      /connection 'perps' is on binance market 'futures-public'.*set its market/,
    );
  });

  it('lets the served markets and market-less venues through', () => {
    const on = (
      venue: 'deribit' | 'bybit' | 'binance',
      settings: Partial<ExchangeConnectionConfig> = {},
    ): ExchangeConnectionConfig => ({
      name: 'c',
      venue,
      url: 'ws://127.0.0.1:1',
      ...settings,
    });
    expect(() => refuseUnservedMarket(on('binance', { binance: { market: 'spot' } }), '')).not.toThrow();
    expect(() => refuseUnservedMarket(on('bybit', { bybit: { market: 'linear' } }), '')).not.toThrow();
    expect(() => refuseUnservedMarket(on('bybit', { bybit: { market: 'spot' } }), '')).not.toThrow();
    expect(() => refuseUnservedMarket(on('deribit'), '')).not.toThrow();
  });
});

/** Child-process entry: the Binance test exchange of the Binance rows (see support/venue-host.ts). */
import { BinanceTestExchange } from '@exchange-connection/testkit';
import { serveVenueHost } from '../support/venue-host.js';
import type { RemoteBinanceUrls } from './remote-binance.js';

serveVenueHost<BinanceTestExchange, RemoteBinanceUrls>({
  name: 'Binance',
  start: (symbols) =>
    BinanceTestExchange.start({
      port: 0,
      seed: 3,
      feedIntervalMs: 0,
      symbols: { spot: symbols },
      connectionLimit: false,
      requestLogLimit: 1000,
    }),
  urls: (exchange) => exchange.urls,
  publish: (exchange, stream, count) => exchange.publish('spot', stream, count),
});

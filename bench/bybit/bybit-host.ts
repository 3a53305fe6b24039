/** Child-process entry: the Bybit test exchange of the Bybit rows (see support/venue-host.ts). */
import { BybitTestExchange } from '@exchange-connection/testkit';
import { serveVenueHost } from '../support/venue-host.js';
import type { BybitUrls } from './remote-bybit.js';

serveVenueHost<BybitTestExchange, BybitUrls>({
  name: 'Bybit',
  start: (symbols) =>
    BybitTestExchange.start({
      port: 0,
      seed: 3,
      feedIntervalMs: 0,
      level1ResnapshotMs: 0,
      symbols: { spot: symbols, linear: symbols },
      connectionLimit: false,
      requestLogLimit: 1000,
    }),
  urls: (exchange) => ({ spot: exchange.url('spot'), linear: exchange.url('linear'), private: exchange.url('private') }),
  // The rows measure linear topics only.
  publish: (exchange, topic, count) => exchange.publish('linear', topic, count),
});

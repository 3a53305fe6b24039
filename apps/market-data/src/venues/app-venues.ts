import {
  BinanceAdapter,
  BybitAdapter,
  DeribitAdapter,
  ExchangeConnectionError,
  type VenueAdapter,
} from '@exchange-connection/core';
import type { BuiltInVenue, ExchangeConnectionConfig } from '@exchange-connection/nestjs';

/**
 * What this app knows of each venue it serves: the public channels a browser may ask for (fixed
 * in code on purpose, so no configuration mistake can expose a private channel), the two it
 * consumes itself, and how the venue tells a private channel. A venue the library supports but
 * this table lacks is refused at startup, naming the connection.
 */
export interface AppVenue {
  /** Public market data a browser may subscribe to on a connection of this venue. */
  readonly channels: readonly string[];
  /** The ticker the app keeps the latest of (and the status page shows). */
  readonly ticker: string;
  /** A book the app keeps flowing (its continuity is the library's job). */
  readonly book: string;
  /** The venue's own rule for private channels (its adapter's, not a prefix guess here). */
  readonly adapter: Pick<VenueAdapter, 'isPrivateChannel'>;
  /**
   * The venue's markets whose channels `channels` names (absent: the venue has one kind of
   * endpoint). A connection on another market would ask its venue for channels it does not carry.
   */
  readonly markets?: readonly string[];
}

export const APP_VENUES = {
  deribit: {
    channels: [
      'ticker.BTC-PERPETUAL.100ms',
      'book.BTC-PERPETUAL.100ms',
      'ticker.ETH-PERPETUAL.100ms',
      'book.ETH-PERPETUAL.100ms',
    ],
    ticker: 'ticker.BTC-PERPETUAL.100ms',
    book: 'book.BTC-PERPETUAL.100ms',
    adapter: new DeribitAdapter({}),
  },
  bybit: {
    // The same topics exist on the spot and linear endpoints.
    channels: [
      'tickers.BTCUSDT',
      'orderbook.50.BTCUSDT',
      'publicTrade.BTCUSDT',
      'tickers.ETHUSDT',
      'orderbook.50.ETHUSDT',
      'publicTrade.ETHUSDT',
    ],
    ticker: 'tickers.BTCUSDT',
    book: 'orderbook.50.BTCUSDT',
    adapter: new BybitAdapter({ market: 'linear' }),
    markets: ['spot', 'linear'],
  },
  binance: {
    // Spot market streams (lower-case symbols, as Binance requires); the depth book is stitched to
    // a REST snapshot by the library.
    channels: [
      'btcusdt@ticker',
      'btcusdt@bookTicker',
      'btcusdt@trade',
      'btcusdt@depth@100ms',
      'ethusdt@ticker',
      'ethusdt@bookTicker',
      'ethusdt@trade',
      'ethusdt@depth@100ms',
    ],
    ticker: 'btcusdt@ticker',
    book: 'btcusdt@depth@100ms',
    adapter: new BinanceAdapter({ market: 'spot' }),
    markets: ['spot'],
  },
} as const satisfies Partial<Record<BuiltInVenue, AppVenue>>;

export type AppVenueName = keyof typeof APP_VENUES;

export const APP_VENUE_NAMES = Object.keys(APP_VENUES) as AppVenueName[];

export function isAppVenue(value: unknown): value is AppVenueName {
  return typeof value === 'string' && Object.hasOwn(APP_VENUES, value);
}

/** The venue's table entry; INVALID_CONFIG naming the connection when this app does not serve it. */
export function appVenue(connection: string, venue: string): AppVenue {
  if (!isAppVenue(venue)) {
    throw new ExchangeConnectionError(
      'INVALID_CONFIG',
      `connection '${connection}' is on venue '${venue}', which this app does not serve (it serves ${APP_VENUE_NAMES.join(', ')})`,
    );
  }
  return APP_VENUES[venue];
}

/**
 * INVALID_CONFIG when `config` is on a market of its venue this app has no channel table for
 * (Binance USDⓈ-M or user data, Bybit private): without it, the app would start and then have
 * every channel it consumes refused. `where` says what to change (the variables, or the
 * connection's options).
 */
export function refuseUnservedMarket(config: ExchangeConnectionConfig, where: string): void {
  const venue = typeof config.venue === 'string' ? config.venue : config.venue.venue;
  const market = config.binance?.market ?? config.bybit?.market;
  if (!isAppVenue(venue) || market === undefined) return;
  const served: readonly string[] | undefined = (APP_VENUES[venue] as AppVenue).markets;
  if (served === undefined || served.includes(market)) return;
  throw new ExchangeConnectionError(
    'INVALID_CONFIG',
    `connection '${config.name}' is on ${venue} market '${market}', which this app does not serve (its ${venue} channels are for ${served.join(' and ')}): ${where}`,
  );
}

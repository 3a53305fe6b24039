import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type ExchangeConnection } from '@exchange-connection/core';
import { ConnectionSupervisorService } from '@exchange-connection/nestjs';
import type { Observable, Subscription } from 'rxjs';
import { DATA_SOURCE, type DataSource } from '../config/data-source.js';
import { printableText } from '../logging/printable-text.js';
import { ConnectionStatusService } from '../status/connection-status.service.js';
import { type AppVenueName, appVenue } from '../venues/app-venues.js';
import { type ChannelRetryOptions, ChannelFeeds } from './channel-feeds.js';
import { ChannelAllowList } from './public-channels.js';

/** The fields of a Deribit ticker this app reads. */
export interface Ticker {
  instrument_name: string;
  timestamp: number;
  last_price: number;
  best_bid_price: number;
  best_ask_price: number;
  mark_price?: number;
}

export const CHANNEL_RETRY = Symbol('MarketDataChannelRetry');

/** One connection as the app serves it: its venue's public channels, and one shared stream per channel. */
export interface MarketConnection {
  readonly name: string;
  readonly venue: AppVenueName;
  readonly connection: ExchangeConnection;
  /** The public channels browsers may ask for on this connection (its venue's list). */
  readonly allowList: ChannelAllowList;
  readonly feeds: ChannelFeeds;
  /** The channel the app keeps the latest message of. */
  readonly ticker: string;
  readonly book: string;
}

interface Latest {
  ticker?: unknown;
  ticks: number;
  bookUpdates: number;
}

/**
 * Consumes public market data from every connection of the app, whatever its venue. The streams
 * come from `channel$`, which the library keeps alive across reconnects, so nothing here
 * resubscribes after a drop; a channel the venue refuses is retried by ChannelFeeds, so no stream
 * here ever errors. One shared stream per channel and connection: many browser clients cost one
 * exchange subscription.
 */
@Injectable()
export class MarketDataService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MarketDataService.name);
  private readonly own: Subscription[] = [];
  private readonly latest = new Map<string, Latest>();
  /** In the order EXCHANGE_CONNECTIONS (or the code) gives them; the first is the gateway's default. */
  readonly connections: readonly MarketConnection[];

  constructor(
    supervisor: ConnectionSupervisorService,
    @Inject(DATA_SOURCE) source: DataSource,
    @Inject(CHANNEL_RETRY) retry: ChannelRetryOptions,
    status: ConnectionStatusService,
  ) {
    this.connections = source.connections.map(({ name, venue }) => {
      const known = appVenue(name, venue);
      const connection = supervisor.get(name);
      const feeds = new ChannelFeeds(connection, this.logger, retry);
      status.watchChannels(feeds);
      return {
        name,
        venue,
        connection,
        allowList: new ChannelAllowList(known.channels, known.adapter),
        feeds,
        ticker: known.ticker,
        book: known.book,
      };
    });
  }

  onModuleInit(): void {
    // Feeds never error; the handlers are here so that a future change that lets one error is
    // logged, not reported to RxJS as unhandled (which, left to RxJS, crashes the process).
    for (const market of this.connections) {
      const latest: Latest = { ticks: 0, bookUpdates: 0 };
      this.latest.set(market.name, latest);
      this.own.push(
        this.stream(market.name, market.ticker).subscribe({
          next: (ticker) => {
            latest.ticker = ticker;
            latest.ticks += 1;
          },
          error: (error: unknown) => this.logStreamError(market.name, market.ticker, error),
        }),
        this.stream(market.name, market.book).subscribe({
          next: () => {
            latest.bookUpdates += 1;
          },
          error: (error: unknown) => this.logStreamError(market.name, market.book, error),
        }),
      );
    }
  }

  onModuleDestroy(): void {
    for (const subscription of this.own.splice(0)) subscription.unsubscribe();
    for (const market of this.connections) market.feeds.close();
  }

  /** The named connection, or undefined. */
  get(name: string): MarketConnection | undefined {
    return this.connections.find((c) => c.name === name);
  }

  /** Only allow-listed public channels of a configured connection; anything else is a programming error here. */
  stream<T = unknown>(connection: string, channel: string): Observable<T> {
    const market = this.get(connection);
    if (market === undefined) throw new Error(`no connection named ${connection}`);
    if (!market.allowList.has(channel)) throw new Error(`channel ${channel} is not on ${connection}'s public allow-list`);
    return market.feeds.feed<T>(channel);
  }

  /** Per connection: the latest ticker message and how many ticker and book messages arrived. */
  snapshot(): Record<string, { ticker?: unknown; ticks: number; bookUpdates: number }> {
    return Object.fromEntries([...this.latest].map(([name, latest]) => [name, { ...latest }]));
  }

  private logStreamError(connection: string, channel: string, error: unknown): void {
    this.logger.error(
      `stream ${connection} ${channel} failed: ${printableText(error instanceof Error ? error.message : String(error))}`,
    );
  }
}

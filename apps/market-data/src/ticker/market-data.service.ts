import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type ConnectionState, type ExchangeConnection } from '@exchange-connection/core';
import { InjectExchangeConnection } from '@exchange-connection/nestjs';
import type { Observable, Subscription } from 'rxjs';
import { printableText } from '../logging/printable-text.js';
import { ConnectionStatusService } from '../status/connection-status.service.js';
import { type ChannelRetryOptions, ChannelFeeds } from './channel-feeds.js';
import { BOOK_CHANNEL, ChannelAllowList, TICKER_CHANNEL } from './public-channels.js';

/** The fields of a Deribit ticker this app reads. */
export interface Ticker {
  instrument_name: string;
  timestamp: number;
  last_price: number;
  best_bid_price: number;
  best_ask_price: number;
  mark_price?: number;
}

/** A Deribit book change (`book.{instrument}.100ms`): levels as [action, price, amount]. */
export interface BookUpdate {
  instrument_name: string;
  timestamp: number;
  change_id: number;
  prev_change_id?: number;
  bids: Array<[string, number, number]>;
  asks: Array<[string, number, number]>;
}

export const DERIBIT_CONNECTION = 'deribit';
export const CHANNEL_RETRY = Symbol('MarketDataChannelRetry');

/**
 * Consumes public market data from the 'deribit' connection. The streams come from `channel$`,
 * which the library keeps alive across reconnects, so nothing here resubscribes after a drop; a
 * channel the venue refuses is retried by ChannelFeeds, so no stream here ever errors.
 * One shared stream per channel: many browser clients cost one exchange subscription.
 */
@Injectable()
export class MarketDataService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MarketDataService.name);
  private readonly own: Subscription[] = [];
  private latestTicker: Ticker | undefined;
  private ticks = 0;
  private bookUpdates = 0;
  readonly allowList = new ChannelAllowList();
  readonly feeds: ChannelFeeds;

  constructor(
    @InjectExchangeConnection(DERIBIT_CONNECTION) private readonly connection: ExchangeConnection,
    @Inject(CHANNEL_RETRY) retry: ChannelRetryOptions,
    status: ConnectionStatusService,
  ) {
    this.feeds = new ChannelFeeds(connection, this.logger, retry);
    status.watchChannels(this.feeds);
  }

  onModuleInit(): void {
    // Feeds never error; the handlers are here so that a future change that lets one error is
    // logged, not reported to RxJS as unhandled (which, left to RxJS, crashes the process).
    this.own.push(
      this.stream<Ticker>(TICKER_CHANNEL).subscribe({
        next: (ticker) => {
          this.latestTicker = ticker;
          this.ticks += 1;
        },
        error: (error: unknown) => this.logStreamError(TICKER_CHANNEL, error),
      }),
      this.stream<BookUpdate>(BOOK_CHANNEL).subscribe({
        next: () => {
          this.bookUpdates += 1;
        },
        error: (error: unknown) => this.logStreamError(BOOK_CHANNEL, error),
      }),
    );
  }

  onModuleDestroy(): void {
    for (const subscription of this.own.splice(0)) subscription.unsubscribe();
    this.feeds.close();
  }

  get connectionName(): string {
    return this.connection.name;
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  get state$(): Observable<ConnectionState> {
    return this.connection.state$;
  }

  /** Only allow-listed public channels; anything else is a programming error here. */
  stream<T = unknown>(channel: string): Observable<T> {
    if (!this.allowList.has(channel)) throw new Error(`channel ${channel} is not on the public allow-list`);
    return this.feeds.feed<T>(channel);
  }

  snapshot(): { ticker?: Ticker; ticks: number; bookUpdates: number } {
    return { ticker: this.latestTicker, ticks: this.ticks, bookUpdates: this.bookUpdates };
  }

  private logStreamError(channel: string, error: unknown): void {
    this.logger.error(`stream ${channel} failed: ${printableText(error instanceof Error ? error.message : String(error))}`);
  }
}

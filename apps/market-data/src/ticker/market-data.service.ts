import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type ConnectionState, type ExchangeConnection } from '@exchange-connection/core';
import { InjectExchangeConnection } from '@exchange-connection/nestjs';
import { type Observable, type Subscription, share } from 'rxjs';
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

/**
 * Consumes public market data from the 'deribit' connection. The streams come from `channel$`,
 * which the library keeps alive across reconnects, so nothing here resubscribes after a drop.
 * One shared stream per channel: many browser clients cost one exchange subscription.
 */
@Injectable()
export class MarketDataService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MarketDataService.name);
  private readonly streams = new Map<string, Observable<unknown>>();
  private readonly own: Subscription[] = [];
  private latestTicker: Ticker | undefined;
  private ticks = 0;
  private bookUpdates = 0;
  readonly allowList = new ChannelAllowList();

  constructor(@InjectExchangeConnection(DERIBIT_CONNECTION) private readonly connection: ExchangeConnection) {}

  onModuleInit(): void {
    this.own.push(
      this.stream<Ticker>(TICKER_CHANNEL).subscribe((ticker) => {
        this.latestTicker = ticker;
        this.ticks += 1;
      }),
      this.stream<BookUpdate>(BOOK_CHANNEL).subscribe(() => {
        this.bookUpdates += 1;
      }),
    );
  }

  onModuleDestroy(): void {
    for (const subscription of this.own.splice(0)) subscription.unsubscribe();
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
    let stream = this.streams.get(channel);
    if (stream === undefined) {
      stream = this.connection.channel$<unknown>(channel).pipe(share());
      this.streams.set(channel, stream);
    }
    return stream as Observable<T>;
  }

  snapshot(): { ticker?: Ticker; ticks: number; bookUpdates: number } {
    return { ticker: this.latestTicker, ticks: this.ticks, bookUpdates: this.bookUpdates };
  }

  /** Subscriber errors must not take a stream down for everyone; log and carry on. */
  logStreamError(channel: string, error: unknown): void {
    this.logger.warn(`stream ${channel} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

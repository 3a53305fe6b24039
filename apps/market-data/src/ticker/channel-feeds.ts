import type { LoggerService } from '@nestjs/common';
import {
  type ExchangeConnection,
  type JitterStrategy,
  calculateBackoff,
  equalJitter,
  isExchangeConnectionError,
} from '@exchange-connection/core';
import { type Observable, Subject, defer, finalize, retry, share, tap, timer } from 'rxjs';
import { printableText } from '../logging/printable-text.js';

/** pending: wanted, no data yet · live: data flowing · refused: the venue would not subscribe it · failed: another stream error. */
export type ChannelState = 'pending' | 'live' | 'refused' | 'failed';

/** One channel of one connection as the status page shows it. */
export interface ChannelStatus {
  connection: string;
  channel: string;
  state: ChannelState;
  /** ISO time the state was entered. */
  since: string;
  /** Errors since the channel last delivered data. */
  failures: number;
  /** `CODE: message` of the last error, cleaned of control characters. */
  reason?: string;
  /** ISO time of the next retry, while refused or failed. */
  retryAt?: string;
}

export interface ChannelRetryOptions {
  /** First retry delay; doubles per failure up to maxDelayMs (default 1 s … 60 s). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Default: equal jitter (at least half the delay). */
  jitter?: JitterStrategy;
}

export const DEFAULT_CHANNEL_RETRY: ChannelRetryOptions = { baseDelayMs: 1_000, maxDelayMs: 60_000 };

interface Entry {
  state: ChannelState;
  since: number;
  failures: number;
  reason?: string;
  retryAt?: number;
}

/**
 * The app's view of one connection's channels: one shared stream per channel that never errors.
 * A stream error (CHANNEL_REFUSED when the venue leaves the channel out of a subscribe result, or
 * any other) is logged, shown in `statuses()`, and the channel is asked for again after a
 * back-off; data resumes when the venue accepts it. Nothing downstream has to handle an error, so
 * nothing can forget to.
 */
export class ChannelFeeds {
  private readonly feeds = new Map<string, Observable<unknown>>();
  private readonly entries = new Map<string, Entry>();
  private readonly changes = new Subject<ChannelStatus>();
  private readonly jitter: JitterStrategy;
  /** Every state change of a wanted channel (for status pushes and browser notices). */
  readonly changes$ = this.changes.asObservable();

  constructor(
    private readonly connection: Pick<ExchangeConnection, 'name' | 'channel$'>,
    private readonly logger: LoggerService,
    private readonly retryOptions: ChannelRetryOptions = DEFAULT_CHANNEL_RETRY,
    private readonly now: () => number = Date.now,
  ) {
    this.jitter = retryOptions.jitter ?? equalJitter();
  }

  get connectionName(): string {
    return this.connection.name;
  }

  /** The channel's data; subscribing asks the connection for it, the last unsubscribe lets it go. */
  feed<T = unknown>(channel: string): Observable<T> {
    let feed = this.feeds.get(channel);
    if (feed === undefined) {
      feed = defer(() => {
        if (!this.entries.has(channel)) this.set(channel, { state: 'pending', since: this.now(), failures: 0 });
        return this.connection.channel$<unknown>(channel);
      }).pipe(
        tap(() => {
          const entry = this.entries.get(channel);
          if (entry !== undefined && entry.state !== 'live') this.set(channel, { state: 'live', since: this.now(), failures: 0 });
        }),
        retry({ delay: (error: unknown, attempt: number) => this.retryLater(channel, error, attempt), resetOnSuccess: true }),
        // Nobody wants it any more: it leaves the status list (the next periodic push shows that).
        finalize(() => this.entries.delete(channel)),
        share(),
      );
      this.feeds.set(channel, feed);
    }
    return feed as Observable<T>;
  }

  status(channel: string): ChannelStatus | undefined {
    const entry = this.entries.get(channel);
    return entry === undefined ? undefined : this.statusOf(channel, entry);
  }

  statuses(): ChannelStatus[] {
    return [...this.entries].map(([channel, entry]) => this.statusOf(channel, entry));
  }

  close(): void {
    this.changes.complete();
  }

  private retryLater(channel: string, error: unknown, attempt: number): Observable<0> {
    const refused = isExchangeConnectionError(error) && error.code === 'CHANNEL_REFUSED';
    const delayMs = this.jitter(calculateBackoff(attempt - 1, this.retryOptions.baseDelayMs, this.retryOptions.maxDelayMs));
    const reason = printableText(describe(error), 200);
    const now = this.now();
    this.set(channel, { state: refused ? 'refused' : 'failed', since: now, failures: attempt, reason, retryAt: now + delayMs });
    // One line per failure; the back-off bounds how many there can be.
    this.logger.warn(
      `connection ${this.connection.name}: channel ${channel} ${refused ? 'refused by the venue' : 'failed'} (${reason}); retry ${attempt} in ${delayMs} ms`,
      'ChannelFeeds',
    );
    return timer(delayMs);
  }

  private set(channel: string, entry: Entry): void {
    this.entries.set(channel, entry);
    this.changes.next(this.statusOf(channel, entry));
  }

  private statusOf(channel: string, entry: Entry): ChannelStatus {
    const status: ChannelStatus = {
      connection: this.connection.name,
      channel,
      state: entry.state,
      since: new Date(entry.since).toISOString(),
      failures: entry.failures,
    };
    if (entry.reason !== undefined) status.reason = entry.reason;
    if (entry.retryAt !== undefined) status.retryAt = new Date(entry.retryAt).toISOString();
    return status;
  }
}

function describe(error: unknown): string {
  if (isExchangeConnectionError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

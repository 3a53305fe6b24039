import { Inject, Injectable } from '@nestjs/common';
import { type ConnectionSummary, summarizeConnection } from '@exchange-connection/core';
import { ConnectionSupervisorService, SecretRedactor } from '@exchange-connection/nestjs';
import { type Observable, auditTime, defer, merge, map, share, timer } from 'rxjs';
import { DATA_SOURCE, type DataSource } from '../config/data-source.js';
import { printableText } from '../logging/printable-text.js';
import { SECRET_REDACTOR } from '../observability/observability.tokens.js';
import type { ChannelFeeds, ChannelStatus } from '../ticker/channel-feeds.js';

/** What the status page shows per connection: the summary /health gives, and where its data comes from. */
export interface ConnectionStatus extends ConnectionSummary {
  /** The exchange (deribit, bybit, ...). */
  venue: string;
  /** Sockets carrying the connection (more than one when the venue caps a socket, as Bybit public does). */
  shards: number;
  /** The data is from a test exchange: seeded, not real prices. */
  testExchange: boolean;
  /** With NATS coordination: this replica's part (owner or standby), the owner and its epoch. */
  ownership?: { role: 'owner' | 'standby'; epoch?: number; owner?: string };
}

export interface StatusSnapshot {
  /** Server time of the snapshot (ISO). */
  at: string;
  connections: ConnectionStatus[];
  /** Channels the app and its browsers want, per connection, with refusals and retries. */
  channels: ChannelStatus[];
}

export const STATUS_INTERVAL_MS = Symbol('MarketDataStatusIntervalMs');

/**
 * Status of every connection and channel as a push stream: a snapshot after every connection or
 * channel event (coalesced per tick, read after the state has changed) and every `intervalMs` so
 * ages stay current. Shared: any number of browsers cost one timer, which stops with the last.
 */
@Injectable()
export class ConnectionStatusService {
  readonly updates$: Observable<StatusSnapshot>;
  private readonly feeds: ChannelFeeds[] = [];

  constructor(
    private readonly supervisor: ConnectionSupervisorService,
    @Inject(SECRET_REDACTOR) private readonly redactor: SecretRedactor,
    @Inject(STATUS_INTERVAL_MS) intervalMs: number,
    @Inject(DATA_SOURCE) private readonly source: DataSource,
  ) {
    this.updates$ = defer(() =>
      merge(
        timer(intervalMs, intervalMs),
        // auditTime(0): an event is emitted before the state it announces is applied.
        merge(...this.supervisor.list().map((c) => c.events$), ...this.feeds.map((f) => f.changes$)).pipe(auditTime(0)),
      ),
    ).pipe(
      map(() => this.snapshot()),
      share(),
    );
  }

  /** Adds a connection's channels to the snapshot (the service that owns them calls this). */
  watchChannels(feeds: ChannelFeeds): void {
    this.feeds.push(feeds);
  }

  snapshot(): StatusSnapshot {
    const connections = this.supervisor.list().map((connection): ConnectionStatus => {
      const summary = summarizeConnection(connection);
      // The reason carries the venue's own error text: no control character reaches the page.
      if (summary.reason !== undefined) summary.reason = printableText(summary.reason);
      const venue = this.source.connections.find((c) => c.name === summary.name)?.venue ?? 'unknown';
      const status: ConnectionStatus = {
        ...summary,
        venue,
        shards: connection.shardCount,
        testExchange: this.source.testExchange.includes(summary.name),
      };
      const stats: object = connection.stats();
      if ('coordination' in stats && stats.coordination !== null && typeof stats.coordination === 'object') {
        const { role, epoch, owner } = stats.coordination as NonNullable<ConnectionStatus['ownership']>;
        status.ownership = { role, epoch, owner };
      }
      return status;
    });
    const channels = this.feeds.flatMap((f) => f.statuses());
    // Error messages carry no secret by contract; the redactor makes sure of it.
    return this.redactor.redact({ at: new Date().toISOString(), connections, channels });
  }
}

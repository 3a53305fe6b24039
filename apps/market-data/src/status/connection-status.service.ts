import { Inject, Injectable } from '@nestjs/common';
import { ConnectionSupervisorService, type ConnectionState, SecretRedactor } from '#exchange-connection';
import { type Observable, auditTime, defer, merge, map, share, timer } from 'rxjs';
import { SECRET_REDACTOR } from '../observability/observability.tokens.js';

/** What the status page shows per connection. Never a URL, client id, secret or token. */
export interface ConnectionStatus {
  name: string;
  state: ConnectionState;
  /** ISO time the current state was entered. */
  since: string;
  /** Last error (code: message) while not ready. */
  reason?: string;
  lastMessageAgeMs?: number;
  reconnects: number;
  circuit: 'closed' | 'open' | 'half-open';
}

export interface StatusSnapshot {
  /** Server time of the snapshot (ISO). */
  at: string;
  connections: ConnectionStatus[];
}

export const STATUS_INTERVAL_MS = Symbol('MarketDataStatusIntervalMs');

/**
 * Status of every connection as a push stream: a snapshot after every connection event (coalesced
 * per tick, read after the state has changed) and every `intervalMs` so ages stay current. Shared:
 * any number of browsers cost one timer, which stops with the last of them.
 */
@Injectable()
export class ConnectionStatusService {
  readonly updates$: Observable<StatusSnapshot>;

  constructor(
    private readonly supervisor: ConnectionSupervisorService,
    @Inject(SECRET_REDACTOR) private readonly redactor: SecretRedactor,
    @Inject(STATUS_INTERVAL_MS) intervalMs: number,
  ) {
    this.updates$ = defer(() =>
      merge(
        timer(intervalMs, intervalMs),
        // auditTime(0): an event is emitted before the state it announces is applied.
        merge(...this.supervisor.list().map((c) => c.events$)).pipe(auditTime(0)),
      ),
    ).pipe(
      map(() => this.snapshot()),
      share(),
    );
  }

  snapshot(): StatusSnapshot {
    const connections = this.supervisor.list().map((connection): ConnectionStatus => {
      const stats = connection.stats();
      const status: ConnectionStatus = {
        name: connection.name,
        state: stats.state,
        since: new Date(stats.stateSince).toISOString(),
        reconnects: stats.reconnects,
        circuit: stats.circuit,
      };
      if (stats.state !== 'ready' && stats.lastError) status.reason = `${stats.lastError.code}: ${stats.lastError.message}`;
      if (stats.lastMessageAgeMs !== undefined) status.lastMessageAgeMs = stats.lastMessageAgeMs;
      return status;
    });
    // Error messages carry no secret by contract; the redactor makes sure of it.
    return this.redactor.redact({ at: new Date().toISOString(), connections });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { type ConnectionSummary, summarizeConnection } from '@exchange-connection/core';
import { ConnectionSupervisorService, SecretRedactor } from '@exchange-connection/nestjs';
import { type Observable, auditTime, defer, merge, map, share, timer } from 'rxjs';
import { SECRET_REDACTOR } from '../observability/observability.tokens.js';

/** What the status page shows per connection: the same summary /health gives. */
export type ConnectionStatus = ConnectionSummary;

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
    const connections = this.supervisor.list().map(summarizeConnection);
    // Error messages carry no secret by contract; the redactor makes sure of it.
    return this.redactor.redact({ at: new Date().toISOString(), connections });
  }
}

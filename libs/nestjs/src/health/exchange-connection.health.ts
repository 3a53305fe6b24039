import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ConnectionSupervisorService } from '../supervisor/connection-supervisor.service.js';
import { type ConnectionSummary, summarizeConnection } from '@exchange-connection/core';
import type { ConnectionState } from '@exchange-connection/core';

/** What /health shows per connection (keyed by name): state, why, since when. Never a credential. */
export type ConnectionHealthDetail = Omit<ConnectionSummary, 'name'>;

const DOWN_STATES: ReadonlySet<ConnectionState> = new Set(['circuit-open', 'closed', 'idle']);

/**
 * Terminus indicator over every (or the named) connections.
 * - `isHealthy`: up when all are ready, degraded while any is recovering (the app still serves),
 *   down when any circuit is open or a connection is closed.
 * - `isReady`: readiness — down unless every connection is ready (restoring counts as not ready).
 */
@Injectable()
export class ExchangeConnectionHealthIndicator {
  constructor(
    private readonly supervisor: ConnectionSupervisorService,
    private readonly health: HealthIndicatorService,
  ) {}

  isHealthy<const Key extends string = 'exchange'>(key: Key = 'exchange' as Key, names?: string[]): HealthIndicatorResult<Key> {
    const details = this.details(names);
    const states = Object.values(details).map((d) => d.state);
    const session = this.health.check(key);
    if (states.some((s) => DOWN_STATES.has(s))) return session.down({ connections: details });
    if (states.some((s) => s !== 'ready')) return session.degraded({ connections: details });
    return session.up({ connections: details });
  }

  isReady<const Key extends string = 'exchange-ready'>(
    key: Key = 'exchange-ready' as Key,
    names?: string[],
  ): HealthIndicatorResult<Key> {
    const details = this.details(names);
    const session = this.health.check(key);
    const allReady = Object.values(details).every((d) => d.state === 'ready');
    return allReady ? session.up({ connections: details }) : session.down({ connections: details });
  }

  private details(names?: string[]): Record<string, ConnectionHealthDetail> {
    const connections = names ? names.map((n) => this.supervisor.get(n)) : this.supervisor.list();
    const out: Record<string, ConnectionHealthDetail> = {};
    for (const connection of connections) {
      const { name, ...detail } = summarizeConnection(connection);
      out[name] = detail;
    }
    return out;
  }
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ExchangeConnectionError, type ConnectionState } from '@exchange-connection/core';
import { type ConnectionSummary, summarizeConnection } from '@exchange-connection/core';
import type { ConnectionSupervisorService } from '../supervisor/connection-supervisor.service.js';
import { connectionsOf, findSupervisors } from '../supervisor/find-supervisors.js';
import type { ManagedExchangeConnection } from '../module/connection-coordination.js';

/**
 * What /health shows per connection (keyed by name): state, why, since when, how many sockets
 * carry it (more than one only for a venue that caps a socket, such as Bybit public), and with
 * coordination on, this replica's part. Never a credential.
 */
export type ConnectionHealthDetail = Omit<ConnectionSummary, 'name'> & {
  shards: number;
  /** With coordination on: this replica's part and the owner's epoch. */
  ownership?: { role: 'owner' | 'standby'; epoch?: number; owner?: string };
};

const DOWN_STATES: ReadonlySet<ConnectionState> = new Set(['circuit-open', 'closed', 'idle']);

/**
 * Terminus indicator over every (or the named) connections.
 * - `isHealthy`: up when all are ready, degraded while any is recovering (the app still serves),
 *   down when any circuit is open or a connection is closed.
 * - `isReady`: readiness — down unless every connection is ready (restoring counts as not ready).
 */
@Injectable()
export class ExchangeConnectionHealthIndicator implements OnModuleInit {
  private supervisors: ConnectionSupervisorService[] = [];

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly health: HealthIndicatorService,
  ) {}

  onModuleInit(): void {
    this.supervisors = findSupervisors(this.moduleRef, 'ExchangeConnectionHealthModule');
  }

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
    const all = connectionsOf(this.supervisors);
    const connections = names ? names.map((n) => pick(all, n)) : all;
    const out: Record<string, ConnectionHealthDetail> = {};
    for (const connection of connections) {
      const { name, ...summary } = summarizeConnection(connection);
      const detail: ConnectionHealthDetail = { ...summary, shards: connection.shardCount };
      const stats: object = connection.stats();
      if ('coordination' in stats && stats.coordination !== null && typeof stats.coordination === 'object') {
        const { role, epoch, owner } = stats.coordination as NonNullable<ConnectionHealthDetail['ownership']>;
        detail.ownership = { role, epoch, owner };
      }
      out[name] = detail;
    }
    return out;
  }
}

function pick(connections: readonly ManagedExchangeConnection[], name: string): ManagedExchangeConnection {
  const found = connections.find((c) => c.name === name);
  if (found !== undefined) return found;
  const known = connections.map((c) => c.name).join(', ') || 'none';
  throw new ExchangeConnectionError('INVALID_CONFIG', `no exchange connection named '${name}' (configured: ${known})`);
}

import type { ConnectionState, ExchangeConnection } from './connection-types.js';
import type { RotationStats } from './rotation-plan.js';

/**
 * What an operator needs of one connection: state, why, since when. Shared by /health and status
 * pages so both say the same thing. Never a URL, client id, secret or token.
 */
export interface ConnectionSummary {
  name: string;
  state: ConnectionState;
  /** ISO time the current state was entered. */
  since: string;
  /** Last error (`CODE: message`) while not ready. */
  reason?: string;
  /** ms since the last inbound frame, ping or pong. */
  lastInboundAgeMs?: number;
  reconnects: number;
  circuit: 'closed' | 'open' | 'half-open';
  /**
   * Make-before-break socket rotations so far (summed over shards): completed, failed, abandoned,
   * channels switched by the overlap bound, whether one runs now, the last one's duration.
   * Absent for a connection that does not rotate (a standby replica's).
   */
  rotations?: RotationStats;
}

export function summarizeConnection(connection: Pick<ExchangeConnection, 'name' | 'stats'>): ConnectionSummary {
  const stats = connection.stats();
  const summary: ConnectionSummary = {
    name: connection.name,
    state: stats.state,
    since: new Date(stats.stateSince).toISOString(),
    reconnects: stats.reconnects,
    circuit: stats.circuit,
  };
  if (stats.state !== 'ready' && stats.lastError) summary.reason = `${stats.lastError.code}: ${stats.lastError.message}`;
  if (stats.lastInboundAgeMs !== undefined) summary.lastInboundAgeMs = stats.lastInboundAgeMs;
  if (stats.rotations !== undefined) summary.rotations = { ...stats.rotations };
  return summary;
}

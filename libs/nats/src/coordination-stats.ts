import type { ConnectionErrorSummary, ConnectionState, ConnectionStats } from '@exchange-connection/core';
import type { ConnectionLease } from './connection-lease.js';
import type { CoordinationCounters } from './coordination-context.js';
import type { CoordinatedConnectionStats, Ownership } from './coordination-types.js';

/** What `stats()` reads of a coordinated connection. */
export interface StatsSources {
  name: string;
  instanceId: string;
  state: ConnectionState;
  stateSince: number;
  /** The owner's session stats; a standby has none and reports its own view. */
  session: ConnectionStats | undefined;
  ownership: Ownership;
  lease: ConnectionLease | undefined;
  counters: CoordinationCounters;
  channels: number;
  relaysInFlight: number;
  /** Why coordination could not start (a setting): the connection stays down and says so. */
  startFailure?: ConnectionErrorSummary;
}

/** The connection's stats (the owner's session's, or a standby's view) plus `coordination`. */
export function coordinatedStats(s: StatsSources): CoordinatedConnectionStats {
  const { lease, ownership, counters } = s;
  const base: ConnectionStats = s.session ?? {
    name: s.name,
    state: s.state,
    stateSince: s.stateSince,
    reconnects: 0,
    consecutiveFailures: 0,
    circuit: 'closed',
    subscriptions: s.channels,
    sessionSubscriptions: 0,
    lastRestoredSubscriptions: 0,
    messagesReceived: counters.messagesReceived,
    inFlight: s.relaysInFlight,
    malformedFrames: 0,
    malformedByReason: {},
    gaps: counters.fanOutGaps,
    ...(s.startFailure === undefined ? {} : { circuit: 'open' as const, lastError: s.startFailure }),
  };
  const c = lease?.counters;
  return {
    ...base,
    state: s.state,
    coordination: {
      instanceId: s.instanceId,
      role: ownership.role,
      epoch: ownership.epoch,
      owner: ownership.owner,
      leaseRemainingMs: lease?.isOwner ? Math.round(lease.remainingMs()) : undefined,
      renewals: c?.renewals ?? 0,
      renewFailures: c?.renewFailures ?? 0,
      acquisitions: c?.acquisitions ?? 0,
      failovers: c?.failovers ?? 0,
      fencings: c?.fencings ?? 0,
      published: counters.published,
      received: counters.received,
      fanOutGaps: counters.fanOutGaps,
      fanOutLagMs: counters.fanOutLagMs,
      relayedRequests: counters.relayedRequests,
      servedRequests: counters.servedRequests,
    },
  };
}

import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ConnectionStats } from '@exchange-connection/core';

// The types a coordinated connection shows (ownership, stats) and is built with (settings, NATS).

/** This replica's part in one connection. `epoch` is the current owner's (ours when we own it). */
export interface Ownership {
  role: 'owner' | 'standby';
  epoch?: number;
  /** The owning replica's instance id, when known. */
  owner?: string;
}

/** Coordination counters and state, beside the connection's own stats. */
export interface CoordinationStats {
  instanceId: string;
  role: 'owner' | 'standby';
  epoch?: number;
  owner?: string;
  /** ms before this owner fences itself unless a renewal lands (owner only). */
  leaseRemainingMs?: number;
  renewals: number;
  renewFailures: number;
  acquisitions: number;
  /** Acquisitions that took the connection over from another replica. */
  failovers: number;
  /** Times the local deadline passed without a renewal. */
  fencings: number;
  /** Notifications published on NATS (owner). */
  published: number;
  /** Notifications received from NATS (standby). */
  received: number;
  /** Holes in a channel's NATS sequence (lost fan-out messages). */
  fanOutGaps: number;
  /** Publish → receive, last message, ms (clocks of two machines: indicative only). */
  fanOutLagMs?: number;
  /** Requests relayed to the owner / answered for standbys. */
  relayedRequests: number;
  servedRequests: number;
}

export interface CoordinatedConnectionStats extends ConnectionStats {
  coordination: CoordinationStats;
}

export interface CoordinationSettings {
  instanceId: string;
  subjectPrefix: string;
  ttlMs: number;
  renewIntervalMs: number;
  fenceMarginMs: number;
  /** Channels the owner publishes even when no replica asks (for services that never open a socket). */
  fanOutChannels: readonly string[];
  /** Added to a relayed request's own timeout for the NATS round trip, ms. */
  relayMarginMs: number;
}

export interface NatsLink {
  nc: NatsConnection;
  kv: KV;
}

import { Buffer } from 'node:buffer';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  ExchangeConnectionError,
  type ConnectionEvent,
  type ShardedConnection,
  type VenueAdapter,
} from '@exchange-connection/core';
import type { ChannelHub } from './channel-hub.js';
import type { LeaseHolder } from './connection-lease.js';
import type { CoordinationSettings } from './coordination-types.js';
import type { ConnectionSubjects } from './subject-names.js';

/** Counters the parts of a coordinated connection add to; `stats()` reads them. */
export interface CoordinationCounters {
  published: number;
  received: number;
  fanOutGaps: number;
  fanOutLagMs: number | undefined;
  relayedRequests: number;
  servedRequests: number;
  messagesReceived: number;
}

export function newCoordinationCounters(): CoordinationCounters {
  return {
    published: 0,
    received: 0,
    fanOutGaps: 0,
    fanOutLagMs: undefined,
    relayedRequests: 0,
    servedRequests: 0,
    messagesReceived: 0,
  };
}

/**
 * What the coordinator shares with its parts (fan-out, standby feed, interest, relay). Each part
 * takes a `Pick` of it: only the members it uses. Role and lease are read at the moment of use,
 * never cached, because they change under the parts' feet.
 */
export interface CoordinationContext {
  readonly name: string;
  readonly settings: CoordinationSettings;
  readonly subjects: ConnectionSubjects;
  readonly venue: VenueAdapter;
  /** The local consumers per channel; a part deletes a hub whose channel failed. */
  readonly hubs: Map<string, ChannelHub>;
  readonly counters: CoordinationCounters;
  /** Our NATS connection, once joined. */
  nats(): NatsConnection | undefined;
  /** We hold the lease (even past its deadline, until the lease says otherwise). */
  isOwner(): boolean;
  /** The lease holds at this instant: past the local deadline nothing leaves this replica. */
  mayAct(): boolean;
  isClosing(): boolean;
  /** The owner's session, where there is one. */
  session(): ShardedConnection | undefined;
  /** The epoch of the lease as the lease knows it (ours when we own it). */
  leaseEpoch(): number | undefined;
  /** The owner as the lease last saw it (standby). */
  holder(): LeaseHolder | undefined;
  emit(event: ConnectionEvent): void;
  log(level: 'debug' | 'log' | 'warn', message: string, extra?: Record<string, unknown>): void;
}

/** A snapshot of a sequenced channel: a message with a sequence and no previous one. */
export function isSnapshot(venue: VenueAdapter, channel: string, data: unknown): boolean {
  const seq = venue.sequenceOf(channel, data);
  return seq !== undefined && seq.prev === undefined;
}

export function notOwner(name: string, method: string): ExchangeConnectionError {
  return new ExchangeConnectionError('NOT_OWNER', `connection '${name}' has no owner right now; ${method} not sent`, { method });
}

export function parseJson<T>(data: Uint8Array): Partial<T> | undefined {
  try {
    const value = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' ? (value as Partial<T>) : undefined;
  } catch {
    return undefined;
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

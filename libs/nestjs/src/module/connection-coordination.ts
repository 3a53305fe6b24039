import type { ExchangeConnection, RotationOutcome, SupervisedConnectionOptions } from '@exchange-connection/core';

/**
 * A connection as the module manages it: what consumers inject, plus the lifecycle the supervisor
 * drives. A `ShardedConnection` is one; so is a connection coordinated across replicas.
 */
export interface ManagedExchangeConnection extends ExchangeConnection {
  /** Sockets that carry it now (more than one for a venue that caps a socket; 0 on a standby replica). */
  readonly shardCount: number;
  start(): void;
  sweep(now?: number): void;
  close(): Promise<void>;
  /**
   * Make-before-break rotation of every socket now (a planned handover; `ShardedConnection.rotate`),
   * one outcome per socket. Absent on a connection this process cannot rotate (one shared with
   * other replicas: its socket may be another replica's).
   */
  rotate?(reason?: string): Promise<RotationOutcome[]>;
}

/**
 * Replicas of one service sharing each connection (`@exchange-connection/nats`'s
 * `NatsCoordination` implements it): the module hands it each connection's options instead of
 * building a SupervisedConnection, and closes it after the connections on shutdown.
 */
export interface ConnectionCoordination {
  coordinate(options: SupervisedConnectionOptions): ManagedExchangeConnection;
  close(): Promise<void>;
}

import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type { ClientLogger, SupervisedConnectionOptions, VenueAdapter } from '@exchange-connection/core';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import type { ConnectionCoordination } from './connection-coordination.js';

/**
 * One named connection. `venue` is an adapter instance, or `'deribit'` for the built-in one.
 * Everything else is what SupervisedConnection takes; every field is checked at startup
 * (config-schema.ts), and an unset one takes the core's default.
 */
export interface ExchangeConnectionConfig extends Omit<SupervisedConnectionOptions, 'venue' | 'logger' | 'now'> {
  venue: 'deribit' | VenueAdapter;
  /** Built-in Deribit adapter settings (ignored for a custom adapter). */
  deribit?: {
    /** Channels per subscribe call when (re)subscribing (default 200). */
    maxChannelsPerCall?: number;
    /**
     * Lowest `session.heartbeatIntervalSec` accepted (default 10: Deribit refuses less). Lower it
     * only for a test exchange that allows shorter heartbeats.
     */
    minHeartbeatIntervalSec?: number;
  };
}

/** A connection's settings without its name (what a `forRootAsync` connection factory returns). */
export type ExchangeConnectionSettings = Omit<ExchangeConnectionConfig, 'name'>;

/** Module-wide settings, shared by every connection of the module. */
export interface ExchangeConnectionModuleSettings {
  /** How often the supervisor sweeps every connection for silence, ms (default 1000, 50..60000). */
  sweepIntervalMs?: number;
  /**
   * Where connection logs go (default: Nest's Logger with context 'ExchangeConnection', fields as
   * structured params). Whatever is given here is wrapped so that it only ever sees redacted text.
   */
  logger?: ClientLogger;
  /**
   * Removes secrets from every log line (keys like client_secret/access_token at any depth, and the
   * exact values of every configured client secret). Pass the app's own to share it with the app's
   * logger (RedactingConsoleLogger); default: one per module instance.
   */
  redactor?: SecretRedactor;
  /** Log state changes (debug), scheduled rebuilds (warn) and circuit changes (default true). */
  logEvents?: boolean;
  /**
   * Share each connection with the other replicas of this service: one owner per connection, its
   * data fanned out, requests relayed (`natsCoordinationFromEnv()` of @exchange-connection/nats).
   * Off when unset: every connection is this process's own, as before.
   */
  coordination?: ConnectionCoordination;
}

export interface ExchangeConnectionModuleOptions extends ExchangeConnectionModuleSettings {
  /** Each connection is injectable by its name: `@InjectExchangeConnection(name)`. */
  connections: ExchangeConnectionConfig[];
}

/** `forRoot`: the options, plus whether every module of the app sees the connections without importing this one. */
export interface ExchangeConnectionModuleRootOptions extends ExchangeConnectionModuleOptions {
  /** Register the module globally (default false, as in Nest's own modules). */
  isGlobal?: boolean;
}

/**
 * A factory for any arguments Nest injects (`inject`). Typed with `never[]` so that any factory
 * signature is accepted without `any`; Nest calls it with the injected values.
 */
export type InjectedFactory<T> = (...args: never[]) => T | Promise<T>;

/**
 * One named connection whose settings a factory builds at startup: the name is written once, here,
 * beside its factory (the shape of `ClientsModule.registerAsync`).
 */
export interface ExchangeConnectionAsyncConfig extends Pick<ModuleMetadata, 'imports'> {
  name: string;
  inject?: FactoryProvider['inject'];
  useFactory: InjectedFactory<ExchangeConnectionSettings>;
}

export interface ExchangeConnectionModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Register the module globally (default false, as in Nest's own modules). */
  isGlobal?: boolean;
  /** The connections, each a name with its own factory. */
  connections: ExchangeConnectionAsyncConfig[];
  /** Module-wide settings from injected providers (optional; defaults without it). */
  useFactory?: InjectedFactory<ExchangeConnectionModuleSettings>;
  inject?: FactoryProvider['inject'];
}

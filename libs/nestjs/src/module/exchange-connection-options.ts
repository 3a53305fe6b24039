import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type {
  BinanceRequestPauseOption,
  ClientLogger,
  SupervisedConnectionOptions,
  VenueAdapter,
} from '@exchange-connection/core';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import type { ConnectionCoordination } from './connection-coordination.js';

/** Settings of the built-in Deribit adapter (`deribit: {...}` beside `venue: 'deribit'`). */
export interface DeribitVenueSettings {
  /** Channels per subscribe call when (re)subscribing (default 200). */
  maxChannelsPerCall?: number;
  /**
   * Lowest `session.heartbeatIntervalSec` accepted (default 10: Deribit refuses less). Lower it
   * only for a test exchange that allows shorter heartbeats.
   */
  minHeartbeatIntervalSec?: number;
}

/** Settings of the built-in Bybit v5 adapter (`bybit: {...}` beside `venue: 'bybit'`). */
export interface BybitVenueSettings {
  /** Which v5 endpoint `url` is: `/v5/public/spot`, `/v5/public/linear` or `/v5/private`. */
  market: 'spot' | 'linear' | 'private';
  /** Args per subscribe request (default spot 10, linear 100, private 10). */
  maxArgsPerRequest?: number;
  /** Public sockets one logical connection may open (default 16; each carries up to 21,000 characters of topics). */
  maxShards?: number;
  /**
   * Characters of topics one public socket may hold (default 21,000, Bybit's limit; 64..21000).
   * Lower it only for a test exchange with a lower limit.
   */
  maxArgsChars?: number;
  /** Private only: `max_active_time`, seconds (30..600; unset: Bybit's 10 minutes). */
  maxActiveTimeSec?: number;
}

/** Settings of the built-in Binance adapter (`binance: {...}` beside `venue: 'binance'`). */
export interface BinanceVenueSettings {
  /**
   * Which endpoint `url` is: `spot` (market streams), `futures-public` / `futures-market`
   * (USDⓈ-M routed market streams), `user-data` (spot WebSocket API; needs credentials),
   * `futures-user-data` (USDⓈ-M `/private` over a listenKey; needs credentials, of which only the
   * API key is used).
   */
  market: 'spot' | 'futures-public' | 'futures-market' | 'user-data' | 'futures-user-data';
  /** REST base of the book snapshots (default `https://api.binance.com`, futures `https://fapi.binance.com`). */
  restUrl?: string;
  /** Streams one socket may hold (default 1024, the venue's cap; 1..1024). */
  maxStreamsPerSocket?: number;
  /** Sockets one logical connection may open (default 16). */
  maxShards?: number;
  /**
   * How long the venue lets a socket live (default 24 h); the supervisor rotates each socket ahead
   * of it. Shorter only for a test exchange with a shorter cut.
   */
  maxSocketLifetimeMs?: number;
  /**
   * Which pause a 418 / 429 ban holds this connection's REST snapshots, listenKey calls and
   * WebSocket API requests on. `'shared'` (default): every Binance connection of the process on the
   * same limits (spot or USDⓈ-M) and REST origin waits out a ban any of them was told about, since
   * Binance bans the IP and lengthens the ban of one that keeps knocking. `'private'`: this
   * connection's own. A `RequestedPause` (code only): shared with whatever else is given that object.
   */
  requestPause?: BinanceRequestPauseOption;
}

/**
 * The built-in venues, by the name a config gives as `venue`, each with the settings block it
 * reads (a field of the same name). A venue is added here and in the venue registry.
 */
export interface BuiltInVenueSettings {
  deribit: DeribitVenueSettings;
  bybit: BybitVenueSettings;
  binance: BinanceVenueSettings;
}

/** `'deribit' | 'bybit' | 'binance'`: a built-in venue's name. */
export type BuiltInVenue = keyof BuiltInVenueSettings;

/**
 * One named connection. `venue` is a built-in venue's name (its settings in the field of that
 * name) or an adapter instance. Everything else is what SupervisedConnection takes; every field is
 * checked at startup (config-schema.ts), and an unset one takes the core's default.
 */
export interface ExchangeConnectionConfig
  extends Omit<SupervisedConnectionOptions, 'venue' | 'logger' | 'now'>, Partial<BuiltInVenueSettings> {
  venue: BuiltInVenue | VenueAdapter;
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

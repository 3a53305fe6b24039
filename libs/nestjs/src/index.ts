// @exchange-connection/nestjs — the Nest face of @exchange-connection/core. Every public name is
// listed here one by one; the rest is internal. Health (@nestjs/terminus) and metrics (prom-client)
// are separate entry points, `@exchange-connection/nestjs/health` and `/metrics`, so an app
// without those optional peers still loads this one.

// The module, named connections in DI, and the registry that owns them.
export { ExchangeConnectionModule } from './module/exchange-connection.module.js';
export { InjectExchangeConnection, getExchangeConnectionToken } from './module/exchange-connection.tokens.js';
export type {
  BinanceVenueSettings,
  BuiltInVenue,
  BuiltInVenueSettings,
  BybitVenueSettings,
  DeribitVenueSettings,
  ExchangeConnectionAsyncConfig,
  ExchangeConnectionConfig,
  ExchangeConnectionModuleAsyncOptions,
  ExchangeConnectionModuleOptions,
  ExchangeConnectionModuleRootOptions,
  ExchangeConnectionModuleSettings,
  ExchangeConnectionSettings,
  InjectedFactory,
} from './module/exchange-connection-options.js';
export { ConnectionSupervisorService } from './supervisor/connection-supervisor.service.js';
// Replicas sharing connections (implemented by @exchange-connection/nats).
export type { ConnectionCoordination, ManagedExchangeConnection } from './module/connection-coordination.js';
// What a service injects (the interface lives in the core).
export type { ExchangeConnection } from '@exchange-connection/core';

// Configuration from the environment (.env.example lists every variable and its default).
export {
  exchangeConnectionFromEnv,
  exchangeConnectionSettingsFromEnv,
  exchangeConnectionsFromEnv,
  exchangeModuleSettingsFromEnv,
} from './config/exchange-connections-from-env.js';
export type { VenueFromEnvOptions } from './config/exchange-connections-from-env.js';
export { envPrefixFor } from './config/env-variables.js';
export type { EnvSource } from './config/env-source.js';
export { EnvReader } from './config/env-reader.js';
export { MODULE_DEFAULTS } from './config/nest-defaults.js';

// Logs: one redactor for every line, and two loggers that write the same JSON shape.
export { SecretRedactor, REDACTED, type SecretRedactorOptions } from './logging/secret-redactor.js';
export { RedactingConsoleLogger, type RedactingConsoleLoggerOptions } from './logging/redacting-console-logger.js';
export { JsonLineLogger, type JsonLineLoggerOptions, type JsonLogLevel } from './logging/json-line-logger.js';

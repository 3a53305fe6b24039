// The Nest face: the module, named connections in DI, the supervisor service.
export * from './module/exchange-connection-options.js';
export * from './module/exchange-connection.tokens.js';
export * from './module/exchange-connection.module.js';
export * from './supervisor/connection-supervisor.service.js';
export * from './health/exchange-connection.health.js';
export * from './config/env-reader.js';
export * from './config/exchange-connections-from-env.js';

// Operability: structured, redacted logs and Prometheus metrics.
export * from './logging/secret-redactor.js';
export * from './logging/connection-log-fields.js';
export * from './logging/redacting-logger.js';
export * from './logging/json-line-logger.js';
export * from './logging/redacting-console-logger.js';
export * from './logging/connection-event-log.js';
export * from './logging/config-secrets.js';
export * from './metrics/connection-metrics.js';
export * from './metrics/exchange-connection-metrics.service.js';

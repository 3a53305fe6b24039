import type { ClientLogger } from '@exchange-connection/core';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import type { ConnectionMetricsOptions } from '../metrics/connection-metrics.js';
import type { SupervisedConnectionOptions } from '@exchange-connection/core';
import type { VenueAdapter } from '@exchange-connection/core';

/**
 * One named connection. `venue` is an adapter instance, or `'deribit'` for the built-in one.
 * Everything else is what SupervisedConnection takes.
 */
export interface ExchangeConnectionConfig extends Omit<SupervisedConnectionOptions, 'venue' | 'logger' | 'now'> {
  venue: 'deribit' | VenueAdapter;
  /** Built-in Deribit adapter settings (ignored for a custom adapter). */
  deribit?: { maxChannelsPerCall?: number };
}

export interface ExchangeConnectionModuleOptions {
  connections: ExchangeConnectionConfig[];
  /** How often the supervisor sweeps every connection for silence (default 1000 ms). */
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
  /** Prometheus metrics per connection into the given registry (never the global one); off when unset. */
  metrics?: ConnectionMetricsOptions;
}

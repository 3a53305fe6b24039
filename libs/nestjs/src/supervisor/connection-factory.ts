import type { ClientLogger, SupervisedConnectionOptions } from '@exchange-connection/core';
import { DeribitAdapter } from '@exchange-connection/core';
import { SupervisedConnection } from '@exchange-connection/core';
import type { VenueAdapter } from '@exchange-connection/core';
import type { ConnectionCoordination, ManagedExchangeConnection } from '../module/connection-coordination.js';
import type { ExchangeConnectionConfig } from '../module/exchange-connection-options.js';

/**
 * Builds one connection from a config that config-schema.ts has already accepted: this process's
 * own SupervisedConnection, or, with coordination, the connection shared with other replicas.
 */
export function createSupervisedConnection(
  config: ExchangeConnectionConfig,
  logger: ClientLogger,
  coordination?: ConnectionCoordination,
): ManagedExchangeConnection {
  const { venue, deribit, ...rest } = config;
  // The adapter's own warnings (refresh failed, test_request answer failed) carry the connection.
  const venueLogger = withFields(logger, { connection: config.name });
  const options: SupervisedConnectionOptions = { ...rest, venue: resolveVenue(venue, deribit, venueLogger), logger };
  return coordination ? coordination.coordinate(options) : new SupervisedConnection(options);
}

function resolveVenue(
  venue: ExchangeConnectionConfig['venue'],
  deribit: ExchangeConnectionConfig['deribit'],
  logger: ClientLogger,
): VenueAdapter {
  if (venue !== 'deribit') return venue;
  // minHeartbeatIntervalSec is a config rule, not an adapter option.
  return new DeribitAdapter({ maxChannelsPerCall: deribit?.maxChannelsPerCall, logger });
}

function withFields(logger: ClientLogger, fields: Record<string, unknown>): ClientLogger {
  return {
    debug: (message, context) => logger.debug?.(message, { ...fields, ...context }),
    log: (message, context) => logger.log(message, { ...fields, ...context }),
    warn: (message, context) => logger.warn(message, { ...fields, ...context }),
    error: (message, context) => logger.error(message, { ...fields, ...context }),
  };
}

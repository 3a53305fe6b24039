import type { ClientLogger } from '@exchange-connection/core';
import { DeribitAdapter } from '@exchange-connection/core';
import { SupervisedConnection } from '@exchange-connection/core';
import type { VenueAdapter } from '@exchange-connection/core';
import type { ExchangeConnectionConfig } from '../module/exchange-connection-options.js';

/** Builds one connection from a config that config-schema.ts has already accepted. */
export function createSupervisedConnection(config: ExchangeConnectionConfig, logger: ClientLogger): SupervisedConnection {
  const { venue, deribit, ...rest } = config;
  // The adapter's own warnings (refresh failed, test_request answer failed) carry the connection.
  const venueLogger = withFields(logger, { connection: config.name });
  return new SupervisedConnection({ ...rest, venue: resolveVenue(venue, deribit, venueLogger), logger });
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

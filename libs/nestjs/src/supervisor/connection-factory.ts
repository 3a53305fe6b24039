import type { ClientLogger, SupervisedConnectionOptions, VenueAdapter } from '@exchange-connection/core';
import { ShardedConnection } from '@exchange-connection/core';
import type { ConnectionCoordination, ManagedExchangeConnection } from '../module/connection-coordination.js';
import type { ExchangeConnectionConfig } from '../module/exchange-connection-options.js';
import { BUILT_IN_VENUES, isBuiltInVenue, venueDefinition } from '../venues/venue-registry.js';

/**
 * Builds one connection from a config that config-schema.ts has already accepted: this process's
 * own connection, or, with coordination, the connection shared with other replicas.
 *
 * Always a ShardedConnection (or one inside the coordinated connection): for an adapter without a
 * shard budget (Deribit) it is one shard, one SupervisedConnection with the same name, events and
 * stats, and `channel$` hands out that shard's own stream; for one with a budget (Bybit public,
 * Binance) it opens sockets as channels need them. One type for every connection keeps the
 * supervisor, health and metrics free of venue branches, and a venue that adds a budget later
 * needs no change here.
 */
export function createExchangeConnection(
  config: ExchangeConnectionConfig,
  logger: ClientLogger,
  coordination?: ConnectionCoordination,
): ManagedExchangeConnection {
  const { venue: _venue, ...rest } = config;
  // Every built-in venue's settings block is taken out: none is a SupervisedConnection option.
  const settings: Record<string, unknown> = { ...rest };
  for (const name of BUILT_IN_VENUES) delete settings[name];
  // The adapter's own warnings (refresh failed, a refused topic) carry the connection.
  const venueLogger = withFields(logger, { connection: config.name });
  const options: SupervisedConnectionOptions = {
    ...(settings as Omit<ExchangeConnectionConfig, 'venue'>),
    venue: resolveVenue(config, venueLogger),
    logger,
  };
  return coordination ? coordination.coordinate(options) : new ShardedConnection(options);
}

function resolveVenue(config: ExchangeConnectionConfig, logger: ClientLogger): VenueAdapter {
  const venue = config.venue;
  if (!isBuiltInVenue(venue)) return venue;
  return venueDefinition(venue).createAdapter(config[venue], logger);
}

function withFields(logger: ClientLogger, fields: Record<string, unknown>): ClientLogger {
  return {
    debug: (message, context) => logger.debug?.(message, { ...fields, ...context }),
    log: (message, context) => logger.log(message, { ...fields, ...context }),
    warn: (message, context) => logger.warn(message, { ...fields, ...context }),
    error: (message, context) => logger.error(message, { ...fields, ...context }),
  };
}

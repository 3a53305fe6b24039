import type { ClientLogger } from '@exchange-connection/core';
import { ExchangeConnectionError } from '@exchange-connection/core';
import { SupervisedConnection } from '@exchange-connection/core';
import { DeribitAdapter } from '@exchange-connection/core';
import type { VenueAdapter } from '@exchange-connection/core';
import type { ExchangeConnectionConfig } from '../module/exchange-connection-options.js';

const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

/** Validates one connection config (failing at startup with the setting named) and builds it. */
export function createSupervisedConnection(config: ExchangeConnectionConfig, logger: ClientLogger): SupervisedConnection {
  if (typeof config.name !== 'string' || !NAME_PATTERN.test(config.name)) {
    throw new ExchangeConnectionError(
      'INVALID_CONFIG',
      `connection name must match ${NAME_PATTERN} (got ${JSON.stringify(config.name)})`,
    );
  }
  const where = `connection '${config.name}'`;
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new ExchangeConnectionError('INVALID_CONFIG', `${where}: url is not a valid URL`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new ExchangeConnectionError('INVALID_CONFIG', `${where}: url must start with ws:// or wss:// (got ${url.protocol})`);
  }
  const { venue, deribit, ...rest } = config;
  // The adapter's own warnings (refresh failed, test_request answer failed) carry the connection.
  const venueLogger = withFields(logger, { connection: config.name });
  return new SupervisedConnection({ ...rest, venue: resolveVenue(venue, deribit, venueLogger, where), logger });
}

function resolveVenue(
  venue: ExchangeConnectionConfig['venue'],
  deribit: ExchangeConnectionConfig['deribit'],
  logger: ClientLogger,
  where: string,
): VenueAdapter {
  if (venue === 'deribit') return new DeribitAdapter({ ...deribit, logger });
  if (venue && typeof venue === 'object' && typeof venue.createSession === 'function') return venue;
  throw new ExchangeConnectionError('INVALID_CONFIG', `${where}: venue must be 'deribit' or a VenueAdapter`);
}

function withFields(logger: ClientLogger, fields: Record<string, unknown>): ClientLogger {
  return {
    debug: (message, context) => logger.debug?.(message, { ...fields, ...context }),
    log: (message, context) => logger.log(message, { ...fields, ...context }),
    warn: (message, context) => logger.warn(message, { ...fields, ...context }),
    error: (message, context) => logger.error(message, { ...fields, ...context }),
  };
}

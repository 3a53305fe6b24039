import { ExchangeConnectionError } from '@exchange-connection/core';
import { EnvReader, type EnvSource, envPrefixFor } from '@exchange-connection/nestjs';
import { type AppVenueName, APP_VENUE_NAMES, isAppVenue } from '../venues/app-venues.js';

/** One connection of this app: its name (injection name, variable prefix) and its venue. */
export interface AppConnection {
  name: string;
  venue: AppVenueName;
}

/** The variable that names the app's connections. */
export const CONNECTIONS_VARIABLE = 'EXCHANGE_CONNECTIONS';
export const DEFAULT_CONNECTIONS = ['deribit'];

/**
 * The app's connections from `EXCHANGE_CONNECTIONS` (comma list, default `deribit`), each with its
 * venue: `{NAME}_VENUE`, else the name itself when it is a venue's, else deribit. The library
 * leaves names to the app; this is this app's rule. Problems name the variable.
 */
export function readAppConnections(source: EnvSource): AppConnection[] {
  const env = new EnvReader(source);
  const text = env.raw(CONNECTIONS_VARIABLE);
  const names = text === undefined ? DEFAULT_CONNECTIONS : text.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) {
    throw invalid(`${CONNECTIONS_VARIABLE} must be a comma-separated list of connection names, e.g. deribit,bybit`);
  }
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) throw invalid(`${CONNECTIONS_VARIABLE} names ${JSON.stringify(repeated)} twice`);
  return names.map((name) => {
    const key = `${envPrefixFor(name)}VENUE`;
    const venue = env.raw(key) ?? defaultVenueOf(name);
    if (!isAppVenue(venue)) {
      throw invalid(`${key} must be one of ${APP_VENUE_NAMES.join(', ')} (the venues this app serves)`);
    }
    return { name, venue };
  });
}

/** This app's default venue for a connection whose `{NAME}_VENUE` is unset. */
export function defaultVenueOf(name: string): AppVenueName {
  return isAppVenue(name) ? name : 'deribit';
}

function invalid(message: string): ExchangeConnectionError {
  return new ExchangeConnectionError('INVALID_CONFIG', message);
}

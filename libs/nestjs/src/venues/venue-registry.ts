import type { BuiltInVenue, BuiltInVenueSettings } from '../module/exchange-connection-options.js';
import { BINANCE_VENUE } from './binance-venue.js';
import { BYBIT_VENUE } from './bybit-venue.js';
import { DERIBIT_VENUE } from './deribit-venue.js';
import type { VenueDefinition } from './venue-definition.js';

/**
 * The built-in venues by name: `venue: 'binance'` in code, `{PREFIX}VENUE=binance` in the environment.
 * The type makes an entry mandatory for every name in BuiltInVenueSettings; the config schema, the
 * environment reader and the connection factory iterate over this table and name no venue.
 */
export const VENUES: { readonly [K in BuiltInVenue]: VenueDefinition<BuiltInVenueSettings[K]> } = {
  deribit: DERIBIT_VENUE,
  bybit: BYBIT_VENUE,
  binance: BINANCE_VENUE,
};

/** The names, in the order errors and docs list them. */
export const BUILT_IN_VENUES = Object.keys(VENUES) as BuiltInVenue[];

export function isBuiltInVenue(value: unknown): value is BuiltInVenue {
  return typeof value === 'string' && Object.hasOwn(VENUES, value);
}

/** One definition, typed loosely enough to be called for whichever venue a config names. */
export function venueDefinition(name: BuiltInVenue): VenueDefinition<unknown> {
  return VENUES[name] as VenueDefinition<unknown>;
}

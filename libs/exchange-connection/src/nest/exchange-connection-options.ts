import type { ClientLogger } from '../client/client-types.js';
import type { SupervisedConnectionOptions } from '../supervisor/supervised-connection.js';
import type { VenueAdapter } from '../venues/venue-adapter.js';

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
  /** Where connection logs go (default: Nest's Logger with context 'ExchangeConnection'). */
  logger?: ClientLogger;
}

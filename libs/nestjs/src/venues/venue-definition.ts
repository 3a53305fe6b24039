import type { ClientLogger, VenueAdapter } from '@exchange-connection/core';
import type { z } from 'zod';
import type { EnvVariable } from '../config/env-variables.js';

/**
 * The part of a connection's config a venue's rules may read: its own settings block and the
 * fields every venue shares (what the schema has already checked field by field).
 */
export interface VenueConfigView<Settings> {
  settings: Settings | undefined;
  session?: {
    credentials?: { clientId?: string; clientSecret?: string };
    heartbeatIntervalSec?: number;
    cancelOnDisconnect?: boolean | { scope: string };
  };
}

/**
 * Everything the Nest package knows of one built-in venue: how its settings block (the config
 * field named after the venue) is checked, which environment variables fill it, and how its
 * adapter is built. The schema, the environment reader and the connection factory read only this,
 * so a venue is added by one entry in venue-registry.ts (and its settings type beside
 * `BuiltInVenueSettings`).
 */
export interface VenueDefinition<Settings> {
  /** The settings block's rules; problems are named under the venue (`bybit.market`, `BYBIT_MARKET`). */
  readonly settings: z.ZodType<Settings>;
  /** Whether the block must be given (Bybit cannot guess its market); otherwise every field has a default. */
  readonly settingsRequired: boolean;
  /** The venue's own variables (`{PREFIX}KEY`); paths start with the venue's name. */
  readonly env: readonly EnvVariable[];
  /** Added to "`{PREFIX}URL` is required": where this venue's endpoints are. */
  readonly urlHint: string;
  /** Fills settings that other variables imply, after reading (Bybit: the market from the URL's path). */
  completeFromEnv?(settings: Record<string, unknown>, url: string | undefined): void;
  /**
   * How long the venue lets one socket live, with these settings (Binance: 24 h unless
   * `maxSocketLifetimeMs` says otherwise); undefined when it sets no lifetime. The shared rotation
   * settings are checked against it (`rotation.leadMs` needs one and must stay below it).
   */
  socketLifetimeMs?(settings: Settings | undefined): number | undefined;
  /** Rules between the settings and the shared fields, reported on `ctx` at the config's paths. */
  refine?(config: VenueConfigView<Settings>, ctx: z.RefinementCtx): void;
  /** The adapter of one connection, from a config the schema accepted. */
  createAdapter(settings: Settings | undefined, logger: ClientLogger): VenueAdapter;
}

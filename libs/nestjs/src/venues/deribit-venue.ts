import { DERIBIT_DEFAULTS, DeribitAdapter } from '@exchange-connection/core';
import { z } from 'zod';
import type { DeribitVenueSettings } from '../module/exchange-connection-options.js';
import { DERIBIT_MIN_HEARTBEAT_SEC } from '../config/nest-defaults.js';
import { CONFIG_LIMITS, decimal, integer, relation } from '../config/schema-parts.js';
import type { VenueDefinition } from './venue-definition.js';

/** Deribit API v2 (JSON-RPC over WebSocket): one socket per connection, no shard budget. */
export const DERIBIT_VENUE: VenueDefinition<DeribitVenueSettings> = {
  settings: z.object({
    maxChannelsPerCall: integer(CONFIG_LIMITS.maxChannelsPerCall).optional(),
    minHeartbeatIntervalSec: decimal(CONFIG_LIMITS.minHeartbeatIntervalSec).optional(),
  }),
  settingsRequired: false,
  env: [
    {
      key: 'MAX_CHANNELS_PER_CALL',
      path: ['deribit', 'maxChannelsPerCall'],
      kind: 'int',
      default: String(DERIBIT_DEFAULTS.maxChannelsPerCall),
    },
  ],
  urlHint: 'ws:// or wss:// endpoint, e.g. wss://test.deribit.com/ws/api/v2',
  refine(config, ctx) {
    const heartbeatSec = config.session?.heartbeatIntervalSec;
    const floor = config.settings?.minHeartbeatIntervalSec ?? DERIBIT_MIN_HEARTBEAT_SEC;
    if (heartbeatSec !== undefined && heartbeatSec < floor) {
      relation(ctx, ['session', 'heartbeatIntervalSec'], `must be >= ${floor} (got ${heartbeatSec}; Deribit refuses less)`, {
        hint: 'for a test exchange that allows less, set {hint}',
        hintPath: ['deribit', 'minHeartbeatIntervalSec'],
      });
    }
  },
  // minHeartbeatIntervalSec is a config rule, not an adapter option.
  createAdapter: (settings, logger) => new DeribitAdapter({ maxChannelsPerCall: settings?.maxChannelsPerCall, logger }),
};

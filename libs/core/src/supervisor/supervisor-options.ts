import type { ClientLogger, ExchangeClientOptions, JitterStrategy } from '../client/client-types.js';
import { SUPERVISOR_DEFAULTS } from '../connection-defaults.js';
import { durationMs, integer } from '../option-checks.js';
import type { VenueAdapter, VenueSessionOptions } from '../venues/venue-adapter.js';
import { rotationSettings, type RotationOptions, type RotationSettings } from './rotation-plan.js';

/** Client settings a supervised connection passes through; reconnection is not among them. */
export type SupervisedClientOptions = Omit<
  ExchangeClientOptions,
  'url' | 'name' | 'reconnectOnError' | 'maxRetries' | 'codec' | 'logger' | 'logContext' | 'onMessage'
>;

export interface SupervisedConnectionOptions {
  name: string;
  url: string;
  venue: VenueAdapter;
  session?: VenueSessionOptions;
  client?: SupervisedClientOptions;
  rebuild?: { baseDelayMs?: number; maxBackoffMs?: number; jitter?: JitterStrategy };
  circuitBreaker?: { failureThreshold?: number; cooldownMs?: number };
  /** No inbound frame for this long on a live session → the sweep rebuilds it (default 30000). */
  silenceTimeoutMs?: number;
  /** Bound on the polite part of close (cancel-on-disconnect off, unsubscribe), ms (default 2000). */
  closeTimeoutMs?: number;
  /** Make-before-break rotation: when to rotate, bounds on the overlap and the drain. */
  rotation?: RotationOptions;
  logger?: ClientLogger;
  /** Clock for the sweep and stats; injectable for tests. */
  now?: () => number;
}

export interface SupervisorSettings {
  rebuild: { baseDelayMs: number; maxBackoffMs: number };
  circuitBreaker: { failureThreshold: number; cooldownMs: number };
  silenceTimeoutMs: number;
  closeTimeoutMs: number;
  rotation: RotationSettings;
}

/** Every duration and count of the options, range-checked now: INVALID_CONFIG names the option. */
export function supervisorSettings(options: SupervisedConnectionOptions): SupervisorSettings {
  const d = SUPERVISOR_DEFAULTS;
  const { rebuild, circuitBreaker } = options;
  return {
    rebuild: {
      baseDelayMs: durationMs('rebuild.baseDelayMs', rebuild?.baseDelayMs, d.rebuild.baseDelayMs, { zero: true }),
      maxBackoffMs: durationMs('rebuild.maxBackoffMs', rebuild?.maxBackoffMs, d.rebuild.maxBackoffMs, { zero: true }),
    },
    circuitBreaker: {
      failureThreshold: integer(
        'circuitBreaker.failureThreshold',
        circuitBreaker?.failureThreshold,
        d.circuitBreaker.failureThreshold,
        1,
      ),
      // A cool-down of 0 would make an open circuit a rebuild loop without even the back-off.
      cooldownMs: durationMs('circuitBreaker.cooldownMs', circuitBreaker?.cooldownMs, d.circuitBreaker.cooldownMs),
    },
    silenceTimeoutMs: durationMs('silenceTimeoutMs', options.silenceTimeoutMs, d.silenceTimeoutMs),
    closeTimeoutMs: durationMs('closeTimeoutMs', options.closeTimeoutMs, d.closeTimeoutMs),
    rotation: rotationSettings(options.rotation, options.venue.maxSocketLifetimeMs),
  };
}

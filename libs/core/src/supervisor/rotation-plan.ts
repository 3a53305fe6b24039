import { ExchangeConnectionError } from '../client/errors.js';
import { SUPERVISOR_DEFAULTS } from '../connection-defaults.js';
import { durationMs } from '../option-checks.js';

/** Supervisor options for make-before-break rotation (see supervisor/README.md). */
export interface RotationOptions {
  /**
   * Rotate each socket this long after it opened. Default: the venue's `maxSocketLifetimeMs` minus
   * a margin (10% of it, at most `SUPERVISOR_DEFAULTS.rotation.lifetimeMarginMs`); no planned
   * rotation when the venue declares no lifetime. `false` turns planned rotation off (a venue's
   * `rotate` notice still rotates).
   */
  rotateAfterMs?: number | false;
  /**
   * Rotate each socket this long before the venue's socket lifetime ends (`maxSocketLifetimeMs −
   * leadMs` after it opened): the same planned rotation as `rotateAfterMs`, said the way an
   * operator thinks of a venue's cut ("start 30 minutes before Binance's 24 h"). Needs a venue that
   * declares a lifetime, must be below it, and excludes `rotateAfterMs`.
   */
  leadMs?: number;
  /** Bound on the overlap: channels that have not joined by then switch anyway (counted). */
  overlapTimeoutMs?: number;
  /** Bound on waiting for the old socket's in-flight requests before it closes. */
  drainTimeoutMs?: number;
}

export interface RotationSettings {
  rotateAfterMs: number | undefined;
  overlapTimeoutMs: number;
  drainTimeoutMs: number;
}

/** Range-checked rotation settings (INVALID_CONFIG names the option). */
export function rotationSettings(options: RotationOptions | undefined, venueLifetimeMs: number | undefined): RotationSettings {
  const d = SUPERVISOR_DEFAULTS.rotation;
  let lifetime: number | undefined;
  if (venueLifetimeMs !== undefined) lifetime = durationMs('venue maxSocketLifetimeMs', venueLifetimeMs, venueLifetimeMs);
  let rotateAfterMs: number | undefined;
  const configured = options?.rotateAfterMs;
  if (options?.leadMs !== undefined) {
    // Both would name the same moment twice; silently preferring one hides a config mistake.
    if (configured !== undefined) {
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        'rotation.leadMs: set either rotation.leadMs or rotation.rotateAfterMs, not both',
      );
    }
    const leadMs = durationMs('rotation.leadMs', options.leadMs, 0);
    if (lifetime === undefined) {
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        'rotation.leadMs: the venue declares no socket lifetime to rotate ahead of (use rotation.rotateAfterMs)',
      );
    }
    if (leadMs >= lifetime) {
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        `rotation.leadMs: must be below the venue's socket lifetime (${lifetime} ms)`,
      );
    }
    rotateAfterMs = lifetime - leadMs;
  } else if (configured === false) rotateAfterMs = undefined;
  else if (configured !== undefined) {
    rotateAfterMs = durationMs('rotation.rotateAfterMs', configured, 0);
    // Rotating after the venue's cut would be a plain rebuild with consumers seeing the drop.
    if (lifetime !== undefined && rotateAfterMs >= lifetime) {
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        `rotation.rotateAfterMs: must be below the venue's socket lifetime (${lifetime} ms)`,
      );
    }
  } else if (lifetime !== undefined) {
    rotateAfterMs = lifetime - Math.min(d.lifetimeMarginMs, lifetime * d.lifetimeMarginFraction);
  }
  return {
    rotateAfterMs,
    overlapTimeoutMs: durationMs('rotation.overlapTimeoutMs', options?.overlapTimeoutMs, d.overlapTimeoutMs),
    drainTimeoutMs: durationMs('rotation.drainTimeoutMs', options?.drainTimeoutMs, d.drainTimeoutMs, { zero: true }),
  };
}

/** Rotation counters of one connection (`stats().rotations`). */
export interface RotationStats {
  /** A rotation is running now. */
  rotating: boolean;
  started: number;
  completed: number;
  failed: number;
  abandoned: number;
  /** Channels switched by the overlap bound without a join, over every rotation. */
  forcedChannels: number;
  /** Duration of the last completed rotation (start → the new socket serves), ms. */
  lastRotationMs?: number;
}

export function zeroRotationStats(): RotationStats {
  return { rotating: false, started: 0, completed: 0, failed: 0, abandoned: 0, forcedChannels: 0 };
}

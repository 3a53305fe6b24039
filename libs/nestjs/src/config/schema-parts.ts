import { MAX_TIMER_MS } from '@exchange-connection/core';
import { z } from 'zod';
import { DERIBIT_MIN_HEARTBEAT_SEC } from './nest-defaults.js';

/**
 * The pieces every part of the config schema is built from: the table of bounds, range-checked
 * numbers, and relations between fields. A leaf module, so that the venue registry's settings
 * schemas and config-schema.ts can both use them without importing each other.
 */

export const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Connection names: also the suffix of injection tokens and, upper-cased, the prefix of variables. */
export const CONNECTION_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

export interface Range {
  min: number;
  max: number;
}

/**
 * Every bound, in one table (the README's option table shows the same). Durations stop far below
 * what a Node timer can hold (MAX_TIMER_MS; a longer one fires after 1 ms), at what still makes sense.
 */
export const CONFIG_LIMITS = {
  sweepIntervalMs: { min: 50, max: MINUTE },
  silenceTimeoutMs: { min: 500, max: 3 * HOUR },
  closeTimeoutMs: { min: 1, max: MINUTE },
  connectTimeoutMs: { min: 100, max: 5 * MINUTE },
  requestTimeoutMs: { min: 100, max: 5 * MINUTE },
  clientBaseDelayMs: { min: 0, max: MINUTE },
  clientMaxBackoffMs: { min: 0, max: HOUR },
  clientCloseTimeoutMs: { min: 1, max: MINUTE },
  pingIntervalMs: { min: 50, max: HOUR },
  pingTimeoutMs: { min: 100, max: 3 * HOUR },
  rebuildBaseDelayMs: { min: 0, max: MINUTE },
  rebuildMaxBackoffMs: { min: 0, max: HOUR },
  circuitCooldownMs: { min: 100, max: DAY },
  circuitFailureThreshold: { min: 1, max: 1_000 },
  heartbeatIntervalSec: { min: 0.1, max: 3_600 },
  minHeartbeatIntervalSec: { min: 0.1, max: DERIBIT_MIN_HEARTBEAT_SEC },
  refreshBeforeExpirySec: { min: 0, max: DAY / SECOND },
  maxChannelsPerCall: { min: 1, max: 10_000 },
  bybitMaxArgsPerRequest: { min: 1, max: 1_000 },
  bybitMaxShards: { min: 1, max: 64 },
  bybitMaxArgsChars: { min: 64, max: 21_000 },
  binanceMaxStreamsPerSocket: { min: 1, max: 1_024 },
  binanceMaxShards: { min: 1, max: 64 },
  // A test exchange cuts sockets after seconds; the venue after 24 h.
  binanceMaxSocketLifetimeMs: { min: 1_000, max: DAY },
  // Planned rotation: a test exchange cuts after seconds, so the floors are low; the cut is at most a day.
  rotateAfterMs: { min: 500, max: DAY },
  rotationLeadMs: { min: 100, max: DAY },
  rotationOverlapTimeoutMs: { min: 100, max: 5 * MINUTE },
  rotationDrainTimeoutMs: { min: 0, max: 5 * MINUTE },
  // Bybit's documented range for max_active_time.
  bybitMaxActiveTimeSec: { min: 30, max: 600 },
  maxPayloadBytes: { min: 1_024, max: 256 * 1024 * 1024 },
  clientIdLength: { min: 1, max: 256 },
  clientSecretLength: { min: 1, max: 1_024 },
} as const satisfies Record<string, Range>;

/** A whole number of milliseconds in range; a bound above MAX_TIMER_MS is a bug here, not in the caller's config. */
export function duration(range: Range) {
  if (range.max > MAX_TIMER_MS) throw new Error(`a duration limit above MAX_TIMER_MS (${range.max})`);
  return z.number().int().min(range.min).max(range.max);
}

export function integer(range: Range) {
  return z.number().int().min(range.min).max(range.max);
}

export function decimal(range: Range) {
  return z.number().min(range.min).max(range.max);
}

/**
 * A rule that relates two fields. `{other}` in the message is replaced by the other field's name in
 * the caller's terms (`connections[0].rebuild.baseDelayMs` or `DERIBIT_RECONNECT_BASE_DELAY_MS`);
 * `hint` (with `{hint}` for `hintPath`'s name) is added only when that field has such a name: the
 * environment has no variable for some fields.
 */
export interface RelationParams {
  other?: PropertyKey[];
  hint?: string;
  hintPath?: PropertyKey[];
  /** How many keys of the issue's path lie below the declaring object (set by `relation`). */
  depth?: number;
}

/**
 * Zod runs an object's refinement even when one of its fields failed; a relation between a bad
 * value and a good one would only repeat the first problem in other words.
 */
export const whenFieldsValid = { when: (payload: z.core.ParsePayload) => payload.issues.length === 0 };

export function relation(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: RelationParams = {}): void {
  ctx.addIssue({ code: 'custom', path, message, params: { ...params, depth: path.length } });
}

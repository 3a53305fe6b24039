import { MAX_TIMER_MS, SUPERVISOR_DEFAULTS } from '@exchange-connection/core';
import { z } from 'zod';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { DERIBIT_MIN_HEARTBEAT_SEC } from './nest-defaults.js';

/**
 * The one set of rules for configuration, whether it comes from code (`forRoot`, `forRootAsync`,
 * `ConnectionSupervisorService.add`) or from the environment (the env reader builds the same shape
 * and validates it here, then names the variable instead of the field). The schema validates and
 * never rewrites: the caller's object (its functions, adapters, Buffers, and any option a newer core
 * adds) is passed on as it is, and the core applies its own defaults.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Connection names: also the suffix of injection tokens and, upper-cased, the prefix of variables. */
export const CONNECTION_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

interface Range {
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
  maxPayloadBytes: { min: 1_024, max: 256 * 1024 * 1024 },
  clientIdLength: { min: 1, max: 256 },
  clientSecretLength: { min: 1, max: 1_024 },
} as const satisfies Record<string, Range>;

/** A whole number of milliseconds in range; a bound above MAX_TIMER_MS is a bug here, not in the caller's config. */
function duration(range: Range) {
  if (range.max > MAX_TIMER_MS) throw new Error(`a duration limit above MAX_TIMER_MS (${range.max})`);
  return z.number().int().min(range.min).max(range.max);
}

function integer(range: Range) {
  return z.number().int().min(range.min).max(range.max);
}

function decimal(range: Range) {
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
const whenFieldsValid = { when: (payload: z.core.ParsePayload) => payload.issues.length === 0 };

function relation(ctx: z.RefinementCtx, path: PropertyKey[], message: string, params: RelationParams = {}): void {
  ctx.addIssue({ code: 'custom', path, message, params: { ...params, depth: path.length } });
}

const wsUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value is not repeated: a URL can carry a password.
    ctx.addIssue({ code: 'custom', message: 'is not a valid URL' });
    return;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    ctx.addIssue({ code: 'custom', message: `must start with ws:// or wss:// (got ${url.protocol}//)` });
  }
});

const isPem = (value: unknown): boolean => {
  const text = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('latin1') : undefined;
  return text !== undefined && /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text);
};
const pemCertificate = z.custom<string | Buffer>(isPem, {
  error: 'must be a PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)',
});

const venueAdapter = z.custom<object>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as { createSession?: unknown }).createSession === 'function',
);
const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', { error: 'must be a function' });

const credentials = z
  .object({
    kind: z.enum(['client_credentials', 'client_signature']),
    clientId: z.string().min(CONFIG_LIMITS.clientIdLength.min).max(CONFIG_LIMITS.clientIdLength.max).optional(),
    clientSecret: z.string().min(CONFIG_LIMITS.clientSecretLength.min).max(CONFIG_LIMITS.clientSecretLength.max).optional(),
  })
  .superRefine((value, ctx) => {
    // Both or neither: a key id without its secret (or the reverse) cannot authenticate.
    if (value.clientId === undefined && value.clientSecret !== undefined) {
      relation(ctx, ['clientId'], 'is required when {other} is set', { other: ['clientSecret'] });
    }
    if (value.clientSecret === undefined && value.clientId !== undefined) {
      relation(ctx, ['clientSecret'], 'is required when {other} is set', { other: ['clientId'] });
    }
    if (value.clientId === undefined && value.clientSecret === undefined) {
      ctx.addIssue({ code: 'custom', path: ['clientId'], message: 'and clientSecret are required (or leave credentials out)' });
    }
  }, whenFieldsValid);

const session = z.object({
  credentials: credentials.optional(),
  heartbeatIntervalSec: decimal(CONFIG_LIMITS.heartbeatIntervalSec).optional(),
  cancelOnDisconnect: z
    .union([z.boolean(), z.object({ scope: z.enum(['connection', 'account']) })], {
      error: "must be true, false or { scope: 'connection' | 'account' }",
    })
    .optional(),
  refreshBeforeExpirySec: decimal(CONFIG_LIMITS.refreshBeforeExpirySec).optional(),
  disableCancelOnDisconnectOnClose: z.boolean().optional(),
});

const client = z
  .object({
    baseDelayMs: duration(CONFIG_LIMITS.clientBaseDelayMs).optional(),
    maxBackoffMs: duration(CONFIG_LIMITS.clientMaxBackoffMs).optional(),
    connectTimeoutMs: duration(CONFIG_LIMITS.connectTimeoutMs).optional(),
    requestTimeoutMs: duration(CONFIG_LIMITS.requestTimeoutMs).optional(),
    closeTimeoutMs: duration(CONFIG_LIMITS.clientCloseTimeoutMs).optional(),
    maxPayload: integer(CONFIG_LIMITS.maxPayloadBytes).optional(),
    heartbeat: z
      .union(
        [
          z.literal(false),
          z.object({ intervalMs: duration(CONFIG_LIMITS.pingIntervalMs), timeoutMs: duration(CONFIG_LIMITS.pingTimeoutMs) }),
        ],
        { error: 'must be false or { intervalMs, timeoutMs }' },
      )
      .optional(),
    tls: z.object({ ca: z.union([pemCertificate, z.array(pemCertificate)]).optional() }).optional(),
    jitter: fn.optional(),
  })
  .superRefine((value, ctx) => {
    const heartbeat = value.heartbeat;
    if (heartbeat && heartbeat.timeoutMs <= heartbeat.intervalMs) {
      // The pong to a ping can only come after the ping: such a bound kills every quiet socket.
      relation(
        ctx,
        ['heartbeat', 'timeoutMs'],
        `must be greater than {other} (got ${heartbeat.timeoutMs} <= ${heartbeat.intervalMs})`,
        {
          other: ['heartbeat', 'intervalMs'],
        },
      );
    }
  }, whenFieldsValid);

export const connectionConfigSchema = z
  .object({
    name: z.string().regex(CONNECTION_NAME_PATTERN, { error: `must match ${String(CONNECTION_NAME_PATTERN)}` }),
    url: wsUrl,
    venue: z.union([z.literal('deribit'), venueAdapter], { error: "must be 'deribit' or a VenueAdapter" }),
    deribit: z
      .object({
        maxChannelsPerCall: integer(CONFIG_LIMITS.maxChannelsPerCall).optional(),
        minHeartbeatIntervalSec: decimal(CONFIG_LIMITS.minHeartbeatIntervalSec).optional(),
      })
      .optional(),
    session: session.optional(),
    client: client.optional(),
    rebuild: z
      .object({
        baseDelayMs: duration(CONFIG_LIMITS.rebuildBaseDelayMs).optional(),
        maxBackoffMs: duration(CONFIG_LIMITS.rebuildMaxBackoffMs).optional(),
        jitter: fn.optional(),
      })
      .optional(),
    circuitBreaker: z
      .object({
        failureThreshold: integer(CONFIG_LIMITS.circuitFailureThreshold).optional(),
        cooldownMs: duration(CONFIG_LIMITS.circuitCooldownMs).optional(),
      })
      .optional(),
    silenceTimeoutMs: duration(CONFIG_LIMITS.silenceTimeoutMs).optional(),
    closeTimeoutMs: duration(CONFIG_LIMITS.closeTimeoutMs).optional(),
  })
  .superRefine((value, ctx) => {
    const base = value.rebuild?.baseDelayMs ?? SUPERVISOR_DEFAULTS.rebuild.baseDelayMs;
    const max = value.rebuild?.maxBackoffMs ?? SUPERVISOR_DEFAULTS.rebuild.maxBackoffMs;
    if (max < base) {
      relation(ctx, ['rebuild', 'maxBackoffMs'], `must be >= {other} (got ${max} < ${base})`, {
        other: ['rebuild', 'baseDelayMs'],
      });
    }
    const heartbeatSec = value.session?.heartbeatIntervalSec;
    if (heartbeatSec === undefined) return;
    const floor = value.deribit?.minHeartbeatIntervalSec ?? DERIBIT_MIN_HEARTBEAT_SEC;
    if (value.venue === 'deribit' && heartbeatSec < floor) {
      relation(ctx, ['session', 'heartbeatIntervalSec'], `must be >= ${floor} (got ${heartbeatSec}; Deribit refuses less)`, {
        hint: 'for a test exchange that allows less, set {hint}',
        hintPath: ['deribit', 'minHeartbeatIntervalSec'],
      });
    }
    const silence = value.silenceTimeoutMs ?? SUPERVISOR_DEFAULTS.silenceTimeoutMs;
    if (value.client?.heartbeat === false && silence <= heartbeatSec * SECOND) {
      // With no protocol pings, the venue's heartbeat is the only traffic on a quiet session.
      relation(
        ctx,
        ['silenceTimeoutMs'],
        `must be longer than the venue heartbeat, {other} × 1000, when the client heartbeat is off (got ${silence})`,
        { other: ['session', 'heartbeatIntervalSec'] },
      );
    }
  }, whenFieldsValid);

const clientLogger = z.custom<object>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['log', 'warn', 'error'].every((level) => typeof (value as Record<string, unknown>)[level] === 'function'),
  { error: 'must be a ClientLogger (log, warn and error functions; debug optional)' },
);

/** Module-wide settings: the same in forRoot, in forRootAsync's factory and from the environment. */
export const moduleSettingsSchema = z.object({
  sweepIntervalMs: duration(CONFIG_LIMITS.sweepIntervalMs).optional(),
  logEvents: z.boolean().optional(),
  logger: clientLogger.optional(),
  redactor: z.instanceof(SecretRedactor, { error: 'must be a SecretRedactor' }).optional(),
});

export const moduleOptionsSchema = moduleSettingsSchema
  .extend({ connections: z.array(connectionConfigSchema).optional() })
  .superRefine((value, ctx) => {
    const seen = new Map<string, number>();
    (value.connections ?? []).forEach((connection, index) => {
      const first = seen.get(connection.name);
      if (first === undefined) seen.set(connection.name, index);
      else relation(ctx, ['connections', index, 'name'], 'repeats {other}', { other: ['connections', first, 'name'] });
    });
  });

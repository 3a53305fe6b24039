import { Buffer } from 'node:buffer';
import { SUPERVISOR_DEFAULTS } from '@exchange-connection/core';
import { z } from 'zod';
import { SecretRedactor } from '../logging/secret-redactor.js';
import type { VenueConfigView } from '../venues/venue-definition.js';
import { BUILT_IN_VENUES, VENUES, isBuiltInVenue, venueDefinition } from '../venues/venue-registry.js';
import { CONFIG_LIMITS, SECOND, decimal, duration, integer, relation, whenFieldsValid } from './schema-parts.js';

import { CONNECTION_NAME_PATTERN } from './schema-parts.js';

export { CONFIG_LIMITS, CONNECTION_NAME_PATTERN, type RelationParams } from './schema-parts.js';

/**
 * The one set of rules for configuration, whether it comes from code (`forRoot`, `forRootAsync`,
 * `ConnectionSupervisorService.add`) or from the environment (the env reader builds the same shape
 * and validates it here, then names the variable instead of the field). The schema validates and
 * never rewrites: the caller's object (its functions, adapters, Buffers, and any option a newer core
 * adds) is passed on as it is, and the core applies its own defaults.
 */

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

/** Make-before-break rotation (the core's RotationOptions); checked against the venue's lifetime below. */
const rotation = z.object({
  rotateAfterMs: z
    // A boolean passes here so that `true` gets its own message below (a union would say "one of false").
    .union([z.boolean(), duration(CONFIG_LIMITS.rotateAfterMs)], { error: 'must be false or a number of ms' })
    .optional(),
  leadMs: duration(CONFIG_LIMITS.rotationLeadMs).optional(),
  overlapTimeoutMs: duration(CONFIG_LIMITS.rotationOverlapTimeoutMs).optional(),
  drainTimeoutMs: duration(CONFIG_LIMITS.rotationDrainTimeoutMs).optional(),
});

export const connectionConfigSchema = z
  .object({
    name: z.string().regex(CONNECTION_NAME_PATTERN, { error: `must match ${String(CONNECTION_NAME_PATTERN)}` }),
    url: wsUrl,
    venue: z.union([z.enum(BUILT_IN_VENUES), venueAdapter], {
      error: `must be ${BUILT_IN_VENUES.map((v) => `'${v}'`).join(', ')} or a VenueAdapter`,
    }),
    // One settings block per built-in venue, named after it (`deribit: {...}`, `bybit: {...}`).
    ...venueSettingsShape(),
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
    rotation: rotation.optional(),
  })
  .superRefine((value, ctx) => {
    const base = value.rebuild?.baseDelayMs ?? SUPERVISOR_DEFAULTS.rebuild.baseDelayMs;
    const max = value.rebuild?.maxBackoffMs ?? SUPERVISOR_DEFAULTS.rebuild.maxBackoffMs;
    if (max < base) {
      relation(ctx, ['rebuild', 'maxBackoffMs'], `must be >= {other} (got ${max} < ${base})`, {
        other: ['rebuild', 'baseDelayMs'],
      });
    }
    refineVenue(value as unknown as Record<string, unknown>, ctx);
    refineRotation(value as unknown as Record<string, unknown>, ctx);
    const heartbeatSec = value.session?.heartbeatIntervalSec;
    if (heartbeatSec === undefined) return;
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

function venueSettingsShape(): Record<string, z.ZodOptional<z.ZodType>> {
  return Object.fromEntries(BUILT_IN_VENUES.map((name) => [name, (VENUES[name].settings as z.ZodType).optional()]));
}

/** The rules of the venue a connection names, and no settings block of another built-in venue. */
function refineVenue(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const venue = value.venue;
  for (const other of BUILT_IN_VENUES) {
    if (other !== venue && value[other] !== undefined && isBuiltInVenue(venue)) {
      // Settings for a venue the connection does not use are a mistake (a copied block, a wrong venue).
      ctx.addIssue({ code: 'custom', path: [other], message: `is for venue '${other}', but venue is '${venue}'` });
    }
  }
  if (!isBuiltInVenue(venue)) return;
  const definition = venueDefinition(venue);
  const settings = value[venue];
  if (settings === undefined && definition.settingsRequired) {
    ctx.addIssue({ code: 'custom', path: [venue], message: `is required for venue '${venue}'` });
    return;
  }
  definition.refine?.({ ...(value as object), settings } as VenueConfigView<unknown>, ctx);
}

/**
 * The rotation settings against the venue's socket lifetime, as the core will apply them (so a bad
 * combination stops the startup naming the field or variable, not later when the connection is
 * built): a lead needs a lifetime and must stay below it, as must `rotateAfterMs`; lead and
 * `rotateAfterMs` name the same moment, so only one may be set.
 */
function refineRotation(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const settings = value.rotation as { rotateAfterMs?: number | boolean; leadMs?: number } | undefined;
  if (settings === undefined) return;
  const { leadMs, rotateAfterMs } = settings;
  if (rotateAfterMs === true) {
    ctx.addIssue({
      code: 'custom',
      path: ['rotation', 'rotateAfterMs'],
      message: "must be false (no planned rotation) or a number of ms (unset: the venue's lifetime minus a margin)",
    });
    return;
  }
  if (leadMs !== undefined && rotateAfterMs !== undefined) {
    relation(ctx, ['rotation', 'leadMs'], 'and {other} name the same moment: set one of them', {
      other: ['rotation', 'rotateAfterMs'],
    });
    return;
  }
  const venue = value.venue;
  const builtIn = isBuiltInVenue(venue);
  const lifetime = builtIn
    ? venueDefinition(venue).socketLifetimeMs?.(value[venue])
    : (venue as { maxSocketLifetimeMs?: number }).maxSocketLifetimeMs;
  const lifetimeField = builtIn ? { hint: 'the lifetime is {hint}', hintPath: [venue, 'maxSocketLifetimeMs'] } : {};
  if (leadMs !== undefined && lifetime === undefined) {
    const which = builtIn ? `venue '${venue}'` : 'the venue adapter';
    relation(ctx, ['rotation', 'leadMs'], `needs a venue whose sockets have a lifetime (Binance); ${which} sets none`, {
      hint: 'a planned rotation there is {hint}',
      hintPath: ['rotation', 'rotateAfterMs'],
    });
    return;
  }
  if (lifetime === undefined) return;
  if (leadMs !== undefined && leadMs >= lifetime) {
    relation(
      ctx,
      ['rotation', 'leadMs'],
      `must be below the venue's socket lifetime, ${lifetime} ms (got ${leadMs})`,
      lifetimeField,
    );
  }
  if (typeof rotateAfterMs === 'number' && rotateAfterMs >= lifetime) {
    // After the cut it would be a plain rebuild, with consumers seeing the drop.
    relation(
      ctx,
      ['rotation', 'rotateAfterMs'],
      `must be below the venue's socket lifetime, ${lifetime} ms (got ${rotateAfterMs})`,
      lifetimeField,
    );
  }
}

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

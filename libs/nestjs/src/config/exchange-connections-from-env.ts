import { readFileSync } from 'node:fs';
import { ExchangeConnectionError } from '@exchange-connection/core';
import type { z } from 'zod';
import type {
  BuiltInVenue,
  ExchangeConnectionAsyncConfig,
  ExchangeConnectionConfig,
  ExchangeConnectionModuleOptions,
  ExchangeConnectionModuleSettings,
  ExchangeConnectionSettings,
} from '../module/exchange-connection-options.js';
import { type FieldNamer, describeIssue, flattenIssues } from './config-issues.js';
import { CONFIG_LIMITS, CONNECTION_NAME_PATTERN, connectionConfigSchema, moduleSettingsSchema } from './config-schema.js';
import { type EnvSource, readEnv } from './env-source.js';
import {
  CONNECTION_ENV_VARIABLES,
  DERIVED_ENV_PATHS,
  type EnvVariable,
  MODULE_ENV_VARIABLES,
  REMOVED_ENV_VARIABLES,
  envPrefixFor,
} from './env-variables.js';
import { ENV_DEFAULTS, silenceTimeoutForHeartbeat } from './nest-defaults.js';
import { BUILT_IN_VENUES, isBuiltInVenue, venueDefinition } from '../venues/venue-registry.js';
import { shownValue } from './shown-value.js';

/**
 * The environment is one more way to write the same configuration: each variable is read as text,
 * turned into the type its field has, placed where a `forRoot` user would write it, and checked by
 * the one schema (config-schema.ts). A problem names the variable, never the field, and a bad value
 * is shown only when short (a secret pasted into the wrong variable is never repeated).
 */

/** How the reader picks a connection's venue when its `{PREFIX}VENUE` is unset. */
export interface VenueFromEnvOptions {
  /**
   * The venue then (default `'deribit'`), or a function of the connection's name: an app whose
   * connections are named after venues passes `(name) => name` for the names it knows.
   */
  defaultVenue?: BuiltInVenue | ((name: string) => BuiltInVenue);
}

/** Every connection's settings (`NAME_*` variables) plus the module-wide ones (`EXCHANGE_*`), validated. */
export function exchangeConnectionsFromEnv(
  source: EnvSource,
  names: readonly string[] = ['deribit'],
  options: VenueFromEnvOptions = {},
): ExchangeConnectionModuleOptions {
  const problems: string[] = removedVariables(source);
  const prefixes = new Map<string, string>();
  for (const name of names) {
    const prefix = envPrefixFor(name);
    const other = prefixes.get(prefix);
    if (other !== undefined)
      problems.push(`connections ${JSON.stringify(other)} and ${JSON.stringify(name)} both read ${prefix}* variables`);
    prefixes.set(prefix, name);
  }
  const settings = readModuleSettings(source, problems);
  const connections = names.map((name) => ({ name, ...readConnection(source, name, problems, options) }));
  if (problems.length > 0) throw new ExchangeConnectionError('INVALID_CONFIG', problems.join('; '));
  return { ...settings, connections };
}

/** Module-wide settings from `EXCHANGE_*` variables (the sweep interval), validated. */
export function exchangeModuleSettingsFromEnv(source: EnvSource): ExchangeConnectionModuleSettings {
  const problems: string[] = removedVariables(source);
  const settings = readModuleSettings(source, problems);
  if (problems.length > 0) throw new ExchangeConnectionError('INVALID_CONFIG', problems.join('; '));
  return settings;
}

/** One connection's settings from its `NAME_*` variables (`deribit-b` → `DERIBIT_B_URL`, …), validated. */
export function exchangeConnectionSettingsFromEnv(
  source: EnvSource,
  name: string,
  options: VenueFromEnvOptions = {},
): ExchangeConnectionSettings {
  const problems: string[] = [];
  const settings = readConnection(source, name, problems, options);
  if (problems.length > 0) throw new ExchangeConnectionError('INVALID_CONFIG', problems.join('; '));
  return settings;
}

/**
 * A `forRootAsync` connection whose settings come from the environment; its name is written once.
 * `inject` is a provider with `get(key)`, typically ConfigService (which also reads `.env` files);
 * without it, `process.env` is read when the module is created.
 *
 *     connections: [exchangeConnectionFromEnv('deribit', { inject: ConfigService })]
 */
export function exchangeConnectionFromEnv(
  name: string,
  options: VenueFromEnvOptions & { inject?: NonNullable<ExchangeConnectionAsyncConfig['inject']>[number] } = {},
): ExchangeConnectionAsyncConfig {
  const { inject: injected, ...venueOptions } = options;
  const inject = injected === undefined ? [] : [injected];
  return {
    name,
    inject,
    useFactory: (source?: EnvSource) => exchangeConnectionSettingsFromEnv(source ?? process.env, name, venueOptions),
  };
}

function removedVariables(source: EnvSource): string[] {
  return Object.entries(REMOVED_ENV_VARIABLES)
    .filter(([key]) => readEnv(source, key) !== undefined)
    .map(([key, why]) => `${key} ${why}`);
}

function readModuleSettings(source: EnvSource, problems: string[]): ExchangeConnectionModuleSettings {
  const settings: Record<string, unknown> = {};
  for (const variable of MODULE_ENV_VARIABLES) {
    const value = readValue(source, variable.key, variable, problems);
    if (value !== undefined) setPath(settings, variable.path, value);
  }
  const result = moduleSettingsSchema.safeParse(settings, { reportInput: true });
  if (!result.success) problems.push(...describe(result.error.issues, '', namerFor(MODULE_ENV_VARIABLES, '')));
  return settings as ExchangeConnectionModuleSettings;
}

function readConnection(
  source: EnvSource,
  name: string,
  problems: string[],
  options: VenueFromEnvOptions,
): ExchangeConnectionSettings {
  if (!CONNECTION_NAME_PATTERN.test(name)) {
    problems.push(`connection name ${shownValue(name)} must match ${String(CONNECTION_NAME_PATTERN)}`);
    return { venue: 'deribit', url: '' };
  }
  const prefix = envPrefixFor(name);
  const fallback = typeof options.defaultVenue === 'function' ? options.defaultVenue(name) : options.defaultVenue;
  const venueText = readEnv(source, `${prefix}VENUE`) ?? fallback ?? ENV_DEFAULTS.venue;
  if (!isBuiltInVenue(venueText)) {
    problems.push(`${prefix}VENUE must be one of ${BUILT_IN_VENUES.join(', ')} (got ${shownValue(venueText)})`);
    return { venue: 'deribit', url: '' };
  }
  const venue: BuiltInVenue = venueText;
  const definition = venueDefinition(venue);
  problems.push(...otherVenuesVariables(source, prefix, venue));
  const variables = connectionVariables(venue);
  const explicit = new Set<string>();
  const values = new Map<string, unknown>();
  for (const variable of variables) {
    if (readEnv(source, prefix + variable.key) !== undefined) explicit.add(variable.key);
    values.set(variable.key, readValue(source, prefix + variable.key, variable, problems));
  }
  const get = (key: string) => values.get(key);
  const number = (key: string) => {
    const value = get(key);
    return typeof value === 'number' ? value : undefined;
  };

  const heartbeatIntervalSec = number('HEARTBEAT_INTERVAL_SEC');
  const silenceTimeoutMs = explicit.has('SILENCE_TIMEOUT_MS')
    ? number('SILENCE_TIMEOUT_MS')
    : heartbeatIntervalSec === undefined
      ? undefined
      : silenceTimeoutForHeartbeat(heartbeatIntervalSec);
  const clientId = get('CLIENT_ID');
  const clientSecret = get('CLIENT_SECRET');
  const cancelOnDisconnect = get('CANCEL_ON_DISCONNECT');
  const url = get('URL');

  // The venue's own settings block, from its own variables; then what other variables imply.
  const settings: Record<string, unknown> = {};
  for (const variable of definition.env) {
    const value = get(variable.key);
    if (value !== undefined) setPath(settings, variable.path.slice(1), value);
  }
  definition.completeFromEnv?.(settings, typeof url === 'string' ? url : undefined);

  const config: Record<string, unknown> = {
    name,
    venue,
    url,
    [venue]: settings,
    session: {
      // Credentials exist when either half is set; the schema then requires the other half.
      credentials:
        clientId === undefined && clientSecret === undefined ? undefined : { kind: get('AUTH_METHOD'), clientId, clientSecret },
      heartbeatIntervalSec,
      cancelOnDisconnect: cancelOnDisconnect === true ? { scope: get('CANCEL_ON_DISCONNECT_SCOPE') } : cancelOnDisconnect,
      disableCancelOnDisconnectOnClose: get('CANCEL_ON_DISCONNECT_DISABLE_ON_CLOSE'),
    },
    client: {
      connectTimeoutMs: number('CONNECT_TIMEOUT_MS'),
      requestTimeoutMs: number('REQUEST_TIMEOUT_MS'),
      // Protocol pings keep NAT/CDN paths warm; the client's watchdog bound matches the sweep's.
      heartbeat: pingFor(silenceTimeoutMs),
      tls: get('CA_FILE') === undefined ? undefined : { ca: get('CA_FILE') },
    },
    rebuild: { baseDelayMs: number('RECONNECT_BASE_DELAY_MS'), maxBackoffMs: number('RECONNECT_MAX_DELAY_MS') },
    circuitBreaker: {
      failureThreshold: number('CIRCUIT_FAILURE_THRESHOLD'),
      cooldownMs: number('CIRCUIT_COOLDOWN_MS'),
    },
    silenceTimeoutMs,
    rotation: {
      leadMs: number('ROTATION_LEAD_MS'),
      rotateAfterMs: number('ROTATE_AFTER_MS'),
      overlapTimeoutMs: number('ROTATION_OVERLAP_TIMEOUT_MS'),
      drainTimeoutMs: number('ROTATION_DRAIN_TIMEOUT_MS'),
    },
  };
  const result = connectionConfigSchema.safeParse(config, { reportInput: true });
  if (!result.success) problems.push(...describe(result.error.issues, prefix, namerFor(variables, prefix)));
  const { name: _name, ...rest } = config as unknown as ExchangeConnectionConfig;
  return rest;
}

/** The variables a connection of `venue` reads: the shared ones (URL's hint names the venue's endpoint), then its own. */
export function connectionVariables(venue: BuiltInVenue): EnvVariable[] {
  const definition = venueDefinition(venue);
  return [
    ...CONNECTION_ENV_VARIABLES.map((v) => (v.key === 'URL' ? { ...v, requiredHint: definition.urlHint } : v)),
    ...definition.env,
  ];
}

/** A variable of another venue set for this connection: most likely a copied block or a wrong VENUE. */
function otherVenuesVariables(source: EnvSource, prefix: string, venue: BuiltInVenue): string[] {
  const own = new Set(venueDefinition(venue).env.map((v) => v.key));
  const problems: string[] = [];
  for (const other of BUILT_IN_VENUES) {
    if (other === venue) continue;
    for (const variable of venueDefinition(other).env) {
      if (own.has(variable.key) || readEnv(source, prefix + variable.key) === undefined) continue;
      problems.push(`${prefix}${variable.key} applies to venue ${other} only (${prefix}VENUE is ${venue}); remove it`);
    }
  }
  return problems;
}

/** Derived only from a silence bound the schema will accept, so one bad variable gives one message. */
function pingFor(silenceTimeoutMs: number | undefined): { intervalMs: number; timeoutMs: number } | undefined {
  const { min, max } = CONFIG_LIMITS.silenceTimeoutMs;
  if (silenceTimeoutMs === undefined || silenceTimeoutMs < min || silenceTimeoutMs > max) return undefined;
  return { intervalMs: Math.max(ENV_DEFAULTS.minPingIntervalMs, Math.floor(silenceTimeoutMs / 3)), timeoutMs: silenceTimeoutMs };
}

/** The variable's value in its field's type; its default (read the same way) when unset; undefined after a problem. */
function readValue(source: EnvSource, key: string, variable: EnvVariable, problems: string[]): unknown {
  const text = readEnv(source, key) ?? (variable.default === '' ? undefined : variable.default);
  if (text === undefined) return undefined;
  switch (variable.kind) {
    case 'string':
    case 'secret':
    case 'enum':
      return text;
    case 'int':
      if (/^[-+]?\d+$/.test(text)) return Number(text);
      problems.push(`${key} must be an integer (got ${shownValue(text)})`);
      return undefined;
    case 'number':
      if (/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return Number(text);
      problems.push(`${key} must be a number (got ${shownValue(text)})`);
      return undefined;
    case 'bool': {
      const word = text.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(word)) return true;
      if (['false', '0', 'no', 'off'].includes(word)) return false;
      problems.push(`${key} must be true or false (got ${shownValue(text)})`);
      return undefined;
    }
    case 'file':
      try {
        return readFileSync(text);
      } catch {
        problems.push(`${key} cannot be read (${shownValue(text)})`);
        return undefined;
      }
  }
}

/** Names a schema path by the variable that fed it: the longest table path it lies under. */
function namerFor(variables: readonly EnvVariable[], prefix: string): (path: readonly PropertyKey[]) => EnvVariable | undefined {
  const derived =
    prefix === '' ? [] : DERIVED_ENV_PATHS.map((d) => ({ ...variables.find((v) => v.key === d.from), path: d.path }));
  const entries = [...variables, ...derived]
    .filter((v): v is EnvVariable => v.key !== undefined)
    .sort((a, b) => b.path.length - a.path.length);
  return (path) => entries.find((e) => e.path.every((key, i) => path[i] === key));
}

function describe(issues: readonly z.core.$ZodIssue[], prefix: string, variableOf: ReturnType<typeof namerFor>): string[] {
  // A field without a variable of its own (none today) is named as code would name it.
  const nameOf: FieldNamer = (path) => {
    const variable = variableOf(path);
    return variable === undefined ? undefined : prefix + variable.key;
  };
  return flattenIssues(issues).map((issue) => {
    const text = describeIssue(issue, nameOf);
    const hint = variableOf(issue.path)?.requiredHint;
    return hint !== undefined && text.endsWith(' is required') ? `${text} (${hint})` : text;
  });
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

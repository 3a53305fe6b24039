import { CLIENT_DEFAULTS, SUPERVISOR_DEFAULTS } from '@exchange-connection/core';
import { ENV_DEFAULTS, MODULE_DEFAULTS, silenceTimeoutForHeartbeat } from './nest-defaults.js';

/** How a variable's text becomes a value before the schema checks it. */
export type EnvKind = 'string' | 'secret' | 'int' | 'number' | 'bool' | 'enum' | 'file';

export interface EnvVariable {
  /** The variable's name without the connection prefix (`URL` → `DERIBIT_URL`); module-wide ones are full names. */
  key: string;
  /** Where the value goes in the config the schema validates (ExchangeConnectionConfig or the module settings). */
  path: readonly string[];
  kind: EnvKind;
  /** The default as `.env.example` shows it; '' when there is none. A test keeps the two equal. */
  default: string;
  /** Added to "is required" when the variable is required and missing. */
  requiredHint?: string;
}

/**
 * Every variable a connection reads whatever its venue, in `.env.example` order (each venue's own
 * variables are in its entry in venue-registry.ts). Defaults come from the core's
 * CLIENT_DEFAULTS / SUPERVISOR_DEFAULTS or this package's nest-defaults.ts, never from a literal here.
 */
export const CONNECTION_ENV_VARIABLES: readonly EnvVariable[] = [
  // A built-in venue's name (venue-registry.ts); its own variables follow the shared ones.
  { key: 'VENUE', path: ['venue'], kind: 'enum', default: ENV_DEFAULTS.venue },
  // Required; the "is required" hint names the venue's endpoint (venue-registry.ts).
  { key: 'URL', path: ['url'], kind: 'string', default: '' },
  { key: 'CLIENT_ID', path: ['session', 'credentials', 'clientId'], kind: 'string', default: '' },
  { key: 'CLIENT_SECRET', path: ['session', 'credentials', 'clientSecret'], kind: 'secret', default: '' },
  { key: 'AUTH_METHOD', path: ['session', 'credentials', 'kind'], kind: 'enum', default: ENV_DEFAULTS.authMethod },
  {
    key: 'HEARTBEAT_INTERVAL_SEC',
    path: ['session', 'heartbeatIntervalSec'],
    kind: 'number',
    default: String(ENV_DEFAULTS.heartbeatIntervalSec),
  },
  {
    key: 'SILENCE_TIMEOUT_MS',
    path: ['silenceTimeoutMs'],
    kind: 'int',
    // Derived from the heartbeat interval when unset; this is the value for the default interval.
    default: String(silenceTimeoutForHeartbeat(ENV_DEFAULTS.heartbeatIntervalSec)),
  },
  {
    key: 'CANCEL_ON_DISCONNECT',
    path: ['session', 'cancelOnDisconnect'],
    kind: 'bool',
    default: String(ENV_DEFAULTS.cancelOnDisconnect),
  },
  {
    key: 'CANCEL_ON_DISCONNECT_SCOPE',
    path: ['session', 'cancelOnDisconnect', 'scope'],
    kind: 'enum',
    default: ENV_DEFAULTS.cancelOnDisconnectScope,
  },
  {
    key: 'CANCEL_ON_DISCONNECT_DISABLE_ON_CLOSE',
    path: ['session', 'disableCancelOnDisconnectOnClose'],
    kind: 'bool',
    default: String(ENV_DEFAULTS.disableCancelOnDisconnectOnClose),
  },
  { key: 'CA_FILE', path: ['client', 'tls', 'ca'], kind: 'file', default: '' },
  {
    key: 'CONNECT_TIMEOUT_MS',
    path: ['client', 'connectTimeoutMs'],
    kind: 'int',
    default: String(CLIENT_DEFAULTS.connectTimeoutMs),
  },
  {
    key: 'REQUEST_TIMEOUT_MS',
    path: ['client', 'requestTimeoutMs'],
    kind: 'int',
    default: String(CLIENT_DEFAULTS.requestTimeoutMs),
  },
  {
    key: 'RECONNECT_BASE_DELAY_MS',
    path: ['rebuild', 'baseDelayMs'],
    kind: 'int',
    default: String(SUPERVISOR_DEFAULTS.rebuild.baseDelayMs),
  },
  {
    key: 'RECONNECT_MAX_DELAY_MS',
    path: ['rebuild', 'maxBackoffMs'],
    kind: 'int',
    default: String(SUPERVISOR_DEFAULTS.rebuild.maxBackoffMs),
  },
  {
    key: 'CIRCUIT_FAILURE_THRESHOLD',
    path: ['circuitBreaker', 'failureThreshold'],
    kind: 'int',
    default: String(SUPERVISOR_DEFAULTS.circuitBreaker.failureThreshold),
  },
  {
    key: 'CIRCUIT_COOLDOWN_MS',
    path: ['circuitBreaker', 'cooldownMs'],
    kind: 'int',
    default: String(SUPERVISOR_DEFAULTS.circuitBreaker.cooldownMs),
  },
  // Make-before-break rotation. Unset lead and interval: the core's default, the venue's lifetime
  // minus a margin (Binance: 15 min before the 24 h cut), and no planned rotation on a venue without one.
  { key: 'ROTATION_LEAD_MS', path: ['rotation', 'leadMs'], kind: 'int', default: '' },
  { key: 'ROTATE_AFTER_MS', path: ['rotation', 'rotateAfterMs'], kind: 'int', default: '' },
  {
    key: 'ROTATION_OVERLAP_TIMEOUT_MS',
    path: ['rotation', 'overlapTimeoutMs'],
    kind: 'int',
    default: String(SUPERVISOR_DEFAULTS.rotation.overlapTimeoutMs),
  },
  {
    key: 'ROTATION_DRAIN_TIMEOUT_MS',
    path: ['rotation', 'drainTimeoutMs'],
    kind: 'int',
    default: String(SUPERVISOR_DEFAULTS.rotation.drainTimeoutMs),
  },
];

/** Fields the reader derives from a variable rather than reading one of their own. */
export const DERIVED_ENV_PATHS: ReadonlyArray<{ path: readonly string[]; from: string }> = [
  // The client's protocol ping and watchdog follow the silence bound.
  { path: ['client', 'heartbeat'], from: 'SILENCE_TIMEOUT_MS' },
];

/** Module-wide variables (full names). */
export const MODULE_ENV_VARIABLES: readonly EnvVariable[] = [
  { key: 'EXCHANGE_SWEEP_INTERVAL_MS', path: ['sweepIntervalMs'], kind: 'int', default: String(MODULE_DEFAULTS.sweepIntervalMs) },
];

/**
 * Variables that are no longer read and would mislead if silently ignored (none today: the
 * example app reads EXCHANGE_CONNECTIONS itself, to name the connections it declares).
 */
export const REMOVED_ENV_VARIABLES: Readonly<Record<string, string>> = {};

/** `deribit-main` → `DERIBIT_MAIN_`: the prefix of that connection's variables. */
export function envPrefixFor(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/**
 * The defaults of the Nest package, in one place. Settings of the client and supervisor layers take
 * their defaults from @exchange-connection/core (CLIENT_DEFAULTS, SUPERVISOR_DEFAULTS); this module
 * holds only what the Nest face adds: the module-wide settings and what the environment reader
 * derives or fills in differently from the core.
 */

/** Module-wide settings of ExchangeConnectionModule. */
export const MODULE_DEFAULTS = {
  /** How often the supervisor sweeps every connection for silence, ms. */
  sweepIntervalMs: 1_000,
  /** Log state changes, scheduled rebuilds and circuit changes. */
  logEvents: true,
} as const;

/** Deribit refuses `public/set_heartbeat` intervals below 10 s. */
export const DERIBIT_MIN_HEARTBEAT_SEC = 10;

/** What the environment reader uses when a variable is unset and the core has no matching default. */
export const ENV_DEFAULTS = {
  /** The venue of a connection whose `{PREFIX}VENUE` is unset (what every connection was before there were others). */
  venue: 'deribit',
  /** Deribit's venue heartbeat, seconds: its floor, so a dead link is found as early as Deribit allows. */
  heartbeatIntervalSec: DERIBIT_MIN_HEARTBEAT_SEC,
  /** Silence bound = this × the venue heartbeat interval (two missed heartbeats and a half). */
  silencePerHeartbeat: 2.5,
  /** The client's protocol ping runs at a third of the silence bound, never more often than this, ms. */
  minPingIntervalMs: 250,
  authMethod: 'client_credentials',
  cancelOnDisconnect: false,
  cancelOnDisconnectScope: 'connection',
  /** False: a deliberate shutdown cancels this connection's orders, the safe side. */
  disableCancelOnDisconnectOnClose: false,
} as const;

/** The silence bound the environment reader derives from a venue heartbeat interval (seconds). */
export function silenceTimeoutForHeartbeat(heartbeatIntervalSec: number): number {
  return Math.round(heartbeatIntervalSec * 1_000 * ENV_DEFAULTS.silencePerHeartbeat);
}

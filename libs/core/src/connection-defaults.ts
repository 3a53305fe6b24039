/**
 * Every default of the client and supervisor layers, in one place: the classes read them from
 * here, and the Nest package's config schema (code and environment alike) shows the same values.
 */

/** The longest delay a Node timer holds (2^31 − 1 ms, about 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

export const CLIENT_DEFAULTS = {
  /** Connection attempts after the first failure before giving up. */
  maxRetries: 10,
  baseDelayMs: 500,
  maxBackoffMs: 30_000,
  /** Bound on TCP + TLS + upgrade of one attempt. */
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  /** Bound on a graceful close handshake before the socket is terminated. */
  closeTimeoutMs: 1_000,
  /** Largest inbound frame accepted, bytes. */
  maxPayload: 16 * 1024 * 1024,
  /** Protocol ping every intervalMs; no inbound frame or pong for timeoutMs → the socket is dead. */
  heartbeat: { intervalMs: 15_000, timeoutMs: 30_000 },
} as const;

export const SUPERVISOR_DEFAULTS = {
  /** Backoff between rebuilds of a dead session (jittered). */
  rebuild: { baseDelayMs: 500, maxBackoffMs: 30_000 },
  /** Consecutive failed rebuilds that open the circuit, and how long it stays open. */
  circuitBreaker: { failureThreshold: 5, cooldownMs: 60_000 },
  /** No inbound frame for this long on a live session → the sweep rebuilds it. */
  silenceTimeoutMs: 30_000,
  /** Bound on the polite part of close (unsubscribe, cancel-on-disconnect off). */
  closeTimeoutMs: 2_000,
} as const;

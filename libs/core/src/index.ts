// Layer 1 — the client: one socket at a time, network recovery.
export * from './client/errors.js';
export * from './client/client-types.js';
export { ExchangeClient } from './client/exchange-client.js';
export {
  CLIENT_DEFAULTS,
  SUPERVISOR_DEFAULTS,
  FRAME_LIMIT_DEFAULTS,
  DERIBIT_DEFAULTS,
  BYBIT_DEFAULTS,
  MAX_TIMER_MS,
  MAX_FRAME_DEPTH_LIMIT,
} from './connection-defaults.js';
export {
  calculateBackoff,
  maxRetriesExceeded,
  shouldReconnect,
  buildSocketOptions,
  establishConnection,
} from './client/reconnection.js';
export type { EstablishConnectionConfig, RetryInfo } from './client/reconnection.js';
export { openSocket } from './client/establish-connection.js';
export type { SocketOptions } from './client/socket-options.js';
export { toConnectionError, closeCodeError, isRetryableStatus } from './client/error-classification.js';
export { fullJitter, equalJitter, noJitter, seededRandom } from './client/jitter.js';
export { Heartbeat } from './client/heartbeat.js';
export type { FrameLimits, MalformedReason } from './client/frame-guard.js';
export { cleanVenueText } from './client/venue-text.js';
export * from './client/venue-codec.js';
export { JsonRpcCodec, decodeJsonRpc } from './client/json-rpc-codec.js';
export type { JsonRpcNotification, JsonRpcErrorMapper } from './client/json-rpc-codec.js';

// Venues — what one exchange speaks; add another by implementing VenueAdapter.
export * from './venues/venue-adapter.js';
export * from './venues/deribit/deribit-adapter.js';
export * from './venues/deribit/deribit-session.js';
export * from './venues/deribit/deribit-auth.js';
export * from './venues/deribit/deribit-heartbeat.js';
export * from './venues/deribit/deribit-cancel-on-disconnect.js';
export * from './venues/deribit/deribit-channels.js';
export * from './venues/deribit/deribit-subscriptions.js';
export * from './venues/deribit/deribit-errors.js';
export * from './venues/deribit/deribit-rate-limit-retry.js';
export * from './venues/deribit/deribit-sequence.js';
export * from './venues/deribit/deribit-clock.js';
export * from './venues/bybit/bybit-adapter.js';
export * from './venues/bybit/bybit-session.js';
export * from './venues/bybit/bybit-codec.js';
export * from './venues/bybit/bybit-auth.js';
export * from './venues/bybit/bybit-topics.js';
export * from './venues/bybit/bybit-subscribe-plan.js';
export * from './venues/bybit/bybit-errors.js';
export * from './venues/bybit/bybit-book.js';
export * from './venues/bybit/bybit-envelope.js';
export { DEFAULT_BACK_OFF, type BackOffOptions } from './venues/bybit/bybit-back-off.js';

// Layer 2 — the supervisor: a new client per failure, full session restore.
export * from './supervisor/connection-types.js';
export * from './supervisor/connection-summary.js';
export * from './supervisor/circuit-breaker.js';
export * from './supervisor/subscription-registry.js';
export * from './supervisor/supervised-connection.js';
export * from './supervisor/shard-allocator.js';
export * from './supervisor/sharded-connection.js';

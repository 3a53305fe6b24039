// The public API of @exchange-connection/core, named one by one: what is not listed here is
// internal and may change in any release (tests reach internals by relative path instead).

// Layer 1 — the client: one socket at a time, network recovery.
export { ExchangeClient } from './client/exchange-client.js';
export type {
  ClientLogger,
  ClientState,
  ClientStats,
  ExchangeClientEvents,
  ExchangeClientOptions,
  HeartbeatOptions,
  JitterStrategy,
  RandomSource,
  RequestOptions,
  TlsOptions,
} from './client/client-types.js';
// The venue's envelope: a codec per client (JSON-RPC 2.0 by default).
export { MALFORMED_FRAME, MESSAGE_FRAME } from './client/venue-codec.js';
export type { DecodedFrame, VenueCodec, VenueErrorInfo, VenueMessage } from './client/venue-codec.js';
export { JsonRpcCodec } from './client/json-rpc-codec.js';
export type { JsonRpcErrorMapper, JsonRpcNotification } from './client/json-rpc-codec.js';
export type { Clock } from './client/clock.js';
export type { VenueRpc } from './client/venue-rpc.js';
// A venue's limit on frames one socket may send (Binance: 5 per second); the client paces within it.
export type { OutboundRate } from './client/outbound-rate-limiter.js';
export { ExchangeConnectionError, isExchangeConnectionError } from './client/errors.js';
export type { ExchangeConnectionErrorCode, ExchangeConnectionErrorDetails } from './client/errors.js';
// The seed's reconnection API, by name.
export {
  buildSocketOptions,
  calculateBackoff,
  establishConnection,
  maxRetriesExceeded,
  shouldReconnect,
} from './client/reconnection.js';
export type { EstablishConnectionConfig, RetryInfo } from './client/reconnection.js';
export type { SocketOptions } from './client/socket-options.js';
export { equalJitter, fullJitter, noJitter, seededRandom } from './client/jitter.js';
// Every default and limit of both layers and the venues, in one place (the Nest package's config
// schema shows the same).
export {
  BINANCE_DEFAULTS,
  BYBIT_DEFAULTS,
  CLIENT_DEFAULTS,
  DERIBIT_DEFAULTS,
  FRAME_LIMIT_DEFAULTS,
  MAX_FRAME_DEPTH_LIMIT,
  MAX_TIMER_MS,
  SUPERVISOR_DEFAULTS,
} from './connection-defaults.js';
// Bounds on one inbound frame, and why a frame was dropped (`malformed` events, stats).
export type { FrameLimits, MalformedReason } from './client/frame-guard.js';

// Venues — what one exchange speaks; add another by implementing VenueAdapter.
export type {
  PreparedSocket,
  RestoreStep,
  RoutedNotification,
  SequenceInfo,
  ShardBudget,
  VenueAdapter,
  VenueCredentials,
  VenueSession,
  VenueSessionOptions,
} from './venues/venue-adapter.js';
export { DeribitAdapter } from './venues/deribit/deribit-adapter.js';
export type { DeribitAdapterOptions } from './venues/deribit/deribit-adapter.js';
export type { RateLimitRetryOptions } from './venues/deribit/deribit-rate-limit-retry.js';
export { deribitChannel, isDeribitPrivateChannel } from './venues/deribit/deribit-channels.js';
export type {
  DeribitBookDepth,
  DeribitBookGroup,
  DeribitInterval,
  DeribitKindCurrency,
} from './venues/deribit/deribit-channels.js';
export { BybitAdapter } from './venues/bybit/bybit-adapter.js';
export type { BybitAdapterOptions } from './venues/bybit/bybit-adapter.js';
export type { BackOffOptions } from './venues/bybit/bybit-back-off.js';
export { BybitCodec } from './venues/bybit/bybit-codec.js';
export { BYBIT_ERROR, bybitErrorClass } from './venues/bybit/bybit-errors.js';
export type { BybitErrorClass } from './venues/bybit/bybit-errors.js';
export { bybitTopic, isBybitPrivateTopic, parseBybitTopic } from './venues/bybit/bybit-topics.js';
export type { BybitBookDepth, BybitCategory, BybitMarket, ParsedBybitTopic } from './venues/bybit/bybit-topics.js';
export type { BybitDialect } from './venues/bybit/bybit-envelope.js';
export { BinanceAdapter } from './venues/binance/binance-adapter.js';
export type { BinanceAdapterOptions } from './venues/binance/binance-adapter.js';
export type { BinanceFetch } from './venues/binance/binance-rest.js';
export type { BinanceRequestPauseOption } from './venues/binance/binance-request-pause.js';
// A venue's stated wait (Binance 429 / 418), shareable between adapters on one IP.
export { RequestedPause } from './venues/requested-pause.js';
export { BinanceCodec } from './venues/binance/binance-codec.js';
export { BINANCE_ERROR, binanceErrorClass } from './venues/binance/binance-errors.js';
export type { BinanceErrorClass } from './venues/binance/binance-errors.js';
export { BINANCE_USER_DATA_CHANNEL, binanceStream, isBinanceDiffDepth } from './venues/binance/binance-streams.js';
export type { BinanceMarket } from './venues/binance/binance-streams.js';
export type {
  BinanceBookMessage,
  BinanceDepthBookSnapshot,
  BinanceDepthUpdate,
  BinanceLevel,
} from './venues/binance/binance-book.js';

// Layer 2 — the supervisor: a new client per failure, full session restore.
export { SupervisedConnection } from './supervisor/supervised-connection.js';
// One logical connection over several sockets, for venues that cap what one socket carries.
export { ShardedConnection } from './supervisor/sharded-connection.js';
export type { SupervisedClientOptions, SupervisedConnectionOptions } from './supervisor/supervised-connection.js';
// Make-before-break rotation of a connection's socket (supervisor/README.md).
export type { RotationOptions, RotationStats } from './supervisor/rotation-plan.js';
export type { RotationOutcome } from './supervisor/socket-rotation.js';
export type { OverlapTally } from './supervisor/overlap-switch.js';
export type {
  ConnectionErrorSummary,
  ConnectionEvent,
  ConnectionState,
  ConnectionStats,
  ExchangeConnection,
} from './supervisor/connection-types.js';
export { summarizeConnection } from './supervisor/connection-summary.js';
// `whenReady` for another kind of ExchangeConnection (the NATS package's coordinated one).
export { waitForReady } from './supervisor/ready-wait.js';
export type { ReadyWaitSide } from './supervisor/ready-wait.js';
export type { ConnectionSummary } from './supervisor/connection-summary.js';

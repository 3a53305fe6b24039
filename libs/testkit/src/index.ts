// The public API of @exchange-connection/testkit, named one by one; everything else is internal.
// Deribit (API v2, JSON-RPC over WebSocket). `TestExchange` is the original name, kept.
export { TestExchange, TestExchange as DeribitTestExchange } from './deribit/test-exchange.js';
export type { TestConnectionSnapshot, CancelOnDisconnectFiring } from './deribit/test-exchange.js';
export type {
  TestExchangeAccount,
  TestExchangeOptions,
  TestExchangeEvent,
  RateLimitOptions,
} from './deribit/test-exchange-options.js';
export type { TestExchangeCounters } from './deribit/test-exchange-counters.js';
export type { RequestLogEntry } from './deribit/request-dispatcher.js';
export { signClientSignature } from './deribit/auth-service.js';
export { DeribitErrorCode } from './deribit/deribit-errors.js';
export { RpcTestClient, RpcCallError } from './deribit/rpc-test-client.js';
export type { RpcResponse, RpcNotification, RpcErrorObject, RpcTestClientOptions } from './deribit/rpc-test-client.js';

// Bybit v5 (public spot/linear and private streams).
export { BybitTestExchange } from './bybit/bybit-test-exchange.js';
export type { BybitConnectionSnapshot } from './bybit/bybit-test-exchange.js';
export type { BybitTestExchangeOptions, BybitAccount } from './bybit/bybit-options.js';
export type { BybitCounters } from './bybit/bybit-counters.js';
export type { BybitOpLogEntry } from './bybit/bybit-ops.js';
export type { BybitMarket, BybitPublicMarket } from './bybit/bybit-topics.js';
export { BybitErrorCode } from './bybit/bybit-errors.js';
export type { BybitErrorCodeValue } from './bybit/bybit-errors.js';
export { signBybitAuth, bybitAuthPayload, bybitAuthArgs } from './bybit/bybit-auth.js';
export { BybitTestClient, BybitOpError } from './bybit/bybit-test-client.js';
export type { BybitAck, BybitTopicMessage } from './bybit/bybit-test-client.js';

// Binance (spot streams, USDⓈ-M routed streams, spot WebSocket API user data, REST depth).
export { BinanceTestExchange } from './binance/binance-test-exchange.js';
export type { BinanceConnectionSnapshot, BinanceRequestLogEntry, BinanceUrls } from './binance/binance-test-exchange.js';
export type { BinanceTestExchangeOptions, BinanceAccount, PerProduct } from './binance/binance-options.js';
export type { BinanceCounters } from './binance/binance-counters.js';
export type { BinanceProduct, UsdmTier } from './binance/binance-streams.js';
export type { BinanceRoute } from './binance/binance-session.js';
export { BinanceErrorCode } from './binance/binance-errors.js';
export { binanceSignaturePayload, signBinanceHmac, signBinanceEd25519 } from './binance/binance-signature.js';
export { BinanceStreamClient, BinanceApiClient, BinanceRequestError } from './binance/binance-test-clients.js';
export type { BinanceStreamResponse, BinanceApiResponse, BinanceUserDataFrame } from './binance/binance-test-clients.js';

// What every venue's exchange shares.
export type { ExchangeEvent } from './shared/exchange-event.js';
export type { MalformedKind } from './shared/malformed-kind.js';
export type { RawFrameOptions } from './shared/venue-test-exchange.js';
export type { ConnectionLimit } from './shared/option-checks.js';
export { WsTestClient } from './shared/testing/ws-test-client.js';
export type { WsTestClientOptions } from './shared/testing/ws-test-client.js';

// TCP fault proxy (latency, black hole, RST/FIN, refused connections) for any venue.
export { FaultProxy } from './proxy/fault-proxy.js';
export type { FaultProxyOptions } from './proxy/fault-proxy.js';
export type { ProxyTarget } from './proxy/proxy-link.js';

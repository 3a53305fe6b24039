// The public API of @exchange-connection/testkit, named one by one; everything else is internal.
export { TestExchange } from './exchange/test-exchange.js';
export type { TestConnectionSnapshot, CancelOnDisconnectFiring } from './exchange/test-exchange.js';
export type {
  TestExchangeAccount,
  TestExchangeOptions,
  TestExchangeEvent,
  RateLimitOptions,
} from './exchange/test-exchange-options.js';
export type { TestExchangeCounters } from './exchange/test-exchange-counters.js';
export type { RequestLogEntry } from './exchange/request-dispatcher.js';
export type { MalformedKind } from './exchange/malformed-frames.js';
export { signClientSignature } from './exchange/auth-service.js';
export { DeribitErrorCode } from './exchange/deribit-errors.js';
export { RpcTestClient, RpcCallError } from './exchange/testing/rpc-test-client.js';
export type { RpcResponse, RpcNotification, RpcErrorObject, RpcTestClientOptions } from './exchange/testing/rpc-test-client.js';
export { FaultProxy } from './proxy/fault-proxy.js';
export type { FaultProxyOptions } from './proxy/fault-proxy.js';
export type { ProxyTarget } from './proxy/proxy-link.js';

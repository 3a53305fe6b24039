export { TestExchange } from './deribit/test-exchange.js';
export type { TestConnectionSnapshot, CancelOnDisconnectFiring } from './deribit/test-exchange.js';
export type {
  TestExchangeAccount,
  TestExchangeOptions,
  TestExchangeEvent,
  RateLimitOptions,
} from './deribit/test-exchange-options.js';
export type { TestExchangeCounters } from './deribit/test-exchange-counters.js';
export type { MalformedKind } from './shared/malformed-kind.js';
export type { ExchangeEvent } from './shared/exchange-event.js';
export { signClientSignature, clientSignaturePayload } from './deribit/auth-service.js';
export { DeribitErrorCode } from './deribit/deribit-errors.js';
export { RpcTestClient, RpcCallError } from './deribit/rpc-test-client.js';
export type { RpcResponse, RpcNotification, RpcErrorObject, RpcTestClientOptions } from './deribit/rpc-test-client.js';
export { FaultProxy } from './proxy/fault-proxy.js';
export type { FaultProxyOptions } from './proxy/fault-proxy.js';
export type { ProxyTarget } from './proxy/proxy-link.js';

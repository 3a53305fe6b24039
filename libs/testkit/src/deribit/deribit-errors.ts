/**
 * Deribit's JSON-RPC error codes and their exact `message` strings (API v2 error table). Handlers
 * throw `RpcError`; the dispatcher turns it into the error envelope, so no handler builds frames.
 */
export const DeribitErrorCode = {
  TooManyRequests: 10028,
  InternalServerError: 11094,
  InvalidCredentials: 13004,
  Unauthorized: 13009,
  Forbidden: 13021,
  RawSubscriptionsNotAvailableForUnauthorized: 13778,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  ParseError: -32700,
} as const;

export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

export class RpcError extends Error {
  readonly code: number;
  readonly data?: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.data = data;
  }

  toBody(): RpcErrorBody {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

export const rpcErrors = {
  tooManyRequests: (): RpcError => new RpcError(DeribitErrorCode.TooManyRequests, 'too_many_requests'),
  internal: (): RpcError => new RpcError(DeribitErrorCode.InternalServerError, 'internal_server_error'),
  invalidCredentials: (): RpcError => new RpcError(DeribitErrorCode.InvalidCredentials, 'invalid_credentials'),
  unauthorized: (reason: string): RpcError =>
    new RpcError(DeribitErrorCode.Unauthorized, 'unauthorized', { reason, param: 'access_token' }),
  forbidden: (reason: string): RpcError => new RpcError(DeribitErrorCode.Forbidden, 'forbidden', { reason }),
  rawForUnauthorized: (): RpcError =>
    new RpcError(
      DeribitErrorCode.RawSubscriptionsNotAvailableForUnauthorized,
      'raw_subscriptions_not_available_for_unauthorized',
    ),
  /** JSON-RPC's own wording: Deribit's table only lists -32600 for oversized frames. */
  invalidRequest: (reason: string): RpcError => new RpcError(DeribitErrorCode.InvalidRequest, 'Invalid Request', { reason }),
  requestTooLarge: (limit: number): RpcError =>
    new RpcError(DeribitErrorCode.InvalidRequest, 'request entity too large', { limit }),
  methodNotFound: (): RpcError => new RpcError(DeribitErrorCode.MethodNotFound, 'Method not found'),
  invalidParams: (param: string, reason: string): RpcError =>
    new RpcError(DeribitErrorCode.InvalidParams, 'Invalid params', { reason, param }),
  parseError: (): RpcError => new RpcError(DeribitErrorCode.ParseError, 'Parse error'),
};

/**
 * Binance error codes and messages (binance-spot-api-docs errors.md and web-socket-streams.md).
 * WebSocket API and REST errors are `{code, msg}` with an HTTP-like status; market-stream request
 * errors are `{"error":{"code":N,"msg":"…"},"id":…}` with the small codes of the streams page.
 */
export const BinanceErrorCode = {
  Unknown: -1000,
  Unauthorized: -1002,
  TooManyRequests: -1003,
  UnsupportedOperation: -1020,
  InvalidTimestamp: -1021,
  InvalidSignature: -1022,
  MandatoryParamEmptyOrMalformed: -1102,
  BadSymbol: -1121,
  RejectedMbxKey: -2015,
} as const;

export interface BinanceErrorBody {
  code: number;
  msg: string;
  data?: unknown;
}

/** A request failure: the response status and the error body. */
export class BinanceApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: BinanceErrorBody,
  ) {
    super(body.msg);
    this.name = 'BinanceApiError';
  }
}

export const binanceErrors = {
  mandatory: (param: string): BinanceApiError =>
    new BinanceApiError(400, {
      code: BinanceErrorCode.MandatoryParamEmptyOrMalformed,
      msg: `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`,
    }),
  badSymbol: (): BinanceApiError => new BinanceApiError(400, { code: BinanceErrorCode.BadSymbol, msg: 'Invalid symbol.' }),
  invalidSignature: (): BinanceApiError =>
    new BinanceApiError(400, { code: BinanceErrorCode.InvalidSignature, msg: 'Signature for this request is not valid.' }),
  timestampOutsideWindow: (): BinanceApiError =>
    new BinanceApiError(400, {
      code: BinanceErrorCode.InvalidTimestamp,
      msg: 'Timestamp for this request is outside of the recvWindow.',
    }),
  timestampAhead: (): BinanceApiError =>
    new BinanceApiError(400, {
      code: BinanceErrorCode.InvalidTimestamp,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    }),
  /** The docs' answer to a key that is unknown, revoked, IP-restricted or lacks a permission. */
  rejectedKey: (): BinanceApiError =>
    new BinanceApiError(401, { code: BinanceErrorCode.RejectedMbxKey, msg: 'Invalid API-key, IP, or permissions for action.' }),
  /** Chosen: the docs say only Ed25519 keys can log on, not what an HMAC key gets. */
  logonNeedsEd25519: (): BinanceApiError =>
    new BinanceApiError(400, { code: BinanceErrorCode.UnsupportedOperation, msg: 'This operation is not supported.' }),
  notLoggedOn: (): BinanceApiError =>
    new BinanceApiError(401, { code: BinanceErrorCode.Unauthorized, msg: 'You are not authorized to execute this request.' }),
  /** Chosen wording: the docs do not list the answer to an unknown method. */
  unknownMethod: (method: string): BinanceApiError =>
    new BinanceApiError(400, { code: BinanceErrorCode.UnsupportedOperation, msg: `Unknown method: '${method}'.` }),
  invalidJson: (): BinanceApiError => new BinanceApiError(400, { code: BinanceErrorCode.Unknown, msg: 'Invalid JSON request.' }),
  /** rest-api.md: an IP that keeps sending after 429s is banned (418), "from 2 minutes to 3 days". */
  ipBanned: (serverTime: number, until: number): BinanceApiError =>
    new BinanceApiError(418, {
      code: BinanceErrorCode.TooManyRequests,
      msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
      data: { serverTime, retryAfter: until },
    }),
  tooMuchWeight: (limit: number, serverTime: number, retryAfter: number): BinanceApiError =>
    new BinanceApiError(429, {
      code: BinanceErrorCode.TooManyRequests,
      msg: `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
      data: { serverTime, retryAfter },
    }),
};

/** Market-stream request errors, as the streams page lists them. */
export const streamErrors = {
  unknownProperty: (): { code: number; msg: string } => ({ code: 0, msg: 'Unknown property' }),
  expectedBoolean: (): { code: number; msg: string } => ({ code: 1, msg: 'Invalid value type: expected Boolean' }),
  propertyName: (): { code: number; msg: string } => ({ code: 2, msg: 'Invalid request: property name must be a string' }),
  badId: (): { code: number; msg: string } => ({ code: 2, msg: 'Invalid request: request ID must be an unsigned integer' }),
  unknownMethod: (method: string): { code: number; msg: string } => ({
    code: 2,
    msg: `Invalid request: unknown variant \`${method}\`, expected one of \`SUBSCRIBE\`, \`UNSUBSCRIBE\`, \`LIST_SUBSCRIPTIONS\`, \`SET_PROPERTY\`, \`GET_PROPERTY\``,
  }),
  tooManyParameters: (): { code: number; msg: string } => ({ code: 2, msg: 'Invalid request: too many parameters' }),
  missingMethod: (): { code: number; msg: string } => ({ code: 2, msg: 'Invalid request: missing field `method`' }),
  /** Seen from the venue for a stream name it does not serve; the docs list no such message. */
  invalidStream: (): { code: number; msg: string } => ({ code: 2, msg: 'Invalid request: invalid stream' }),
  /** Chosen: the docs state the 1024-stream cap, not the answer beyond it. */
  tooManyStreams: (limit: number): { code: number; msg: string } => ({
    code: 2,
    msg: `Invalid request: too many streams, a connection can listen to at most ${limit}`,
  }),
  invalidJson: (): { code: number; msg: string } => ({ code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' }),
};

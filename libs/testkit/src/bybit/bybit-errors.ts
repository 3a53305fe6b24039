/**
 * Bybit v5 error codes the test exchange can answer with (v5 "Error Codes" page: UTA table and the
 * WS order-entry table).
 *
 * Bybit documents no code field for the acknowledgements of the public and private *streams*
 * (`{"success":false,"ret_msg":…}`), only for `/v5/trade`. Where a message has been seen from the
 * venue it is reproduced as seen (`Params Error` for a stale or malformed auth, `error:handler not
 * found,topic:…`, `error:already subscribed,topic:…`, `error:invalid op`). Every other failure is
 * written `error:<the docs' description>,code:<code>` so a client can classify it by code: that
 * format is this test exchange's, not the venue's.
 */
export const BybitErrorCode = {
  ParamsError: 10001,
  InvalidApiKey: 10003,
  InvalidSignature: 10004,
  PermissionDenied: 10005,
  TooManyVisits: 10006,
  UnmatchedIp: 10010,
  ServerError: 10016,
  ServiceRestarting: 10019,
  SystemFrequencyProtection: 10429,
  RepeatAuth: 20001,
} as const;

export type BybitErrorCodeValue = (typeof BybitErrorCode)[keyof typeof BybitErrorCode];

/** Codes `setRejectAuth` and `setOpRejection` accept. */
const BYBIT_REJECTION_CODES: readonly BybitErrorCodeValue[] = Object.values(BybitErrorCode);

const DESCRIPTIONS: Readonly<Record<BybitErrorCodeValue, string>> = {
  10001: 'Request parameter error',
  10003: 'API key is invalid',
  10004: 'Error sign',
  10005: 'Permission denied, please check your API key permissions',
  10006: 'Too many visits. Exceeded the API Rate Limit',
  10010: "Unmatched IP, please check your API key's bound IP addresses",
  10016: 'Service is restarting',
  10019: 'Service is restarting, do not accept new request',
  10429: 'System level frequency protection',
  20001: 'Repeat auth',
};

export function isBybitErrorCode(value: number): value is BybitErrorCodeValue {
  return (BYBIT_REJECTION_CODES as readonly number[]).includes(value);
}

/** The `ret_msg` of a failed acknowledgement. */
export const bybitRetMsg = {
  coded: (code: BybitErrorCodeValue): string => `error:${DESCRIPTIONS[code]},code:${code}`,
  /** Seen from the venue for a stale `expires` and for malformed auth args. */
  paramsError: (): string => 'Params Error',
  invalidOp: (): string => 'error:invalid op',
  handlerNotFound: (topic: string): string => `error:handler not found,topic:${topic}`,
  alreadySubscribed: (topic: string): string => `error:already subscribed,topic:${topic}`,
  /** A private topic before a successful auth on that socket. */
  notAuthorized: (): string => 'Request not authorized',
  tooManyArgs: (limit: number): string => `error:args size >${limit},code:10001`,
  argsTooLong: (limit: number): string => `error:args length >${limit},code:10001`,
  mixedTopics: (): string => 'error:all-in-one and categorised topics in one request,code:10001',
  unparsable: (): string => 'error:request is not JSON,code:10001',
};

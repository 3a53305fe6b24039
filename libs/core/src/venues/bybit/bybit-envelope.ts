import { ExchangeConnectionError } from '../../client/errors.js';

/**
 * Bybit v5's two envelopes (docs: v5 ws connect; websocket trade guideline):
 * - streams (`/v5/public/*`, `/v5/private`): `{"req_id","op","args"}` → `{"success","ret_msg","op",
 *   "req_id"?,"conn_id"}`; the private pong is `{"op":"pong","req_id","args"}`;
 * - order entry (`/v5/trade`): `{"reqId","header","op","args"}` → `{"reqId"?,"retCode","retMsg","op","data"}`.
 * Data messages carry a `topic`. An ack echoes the request id only sometimes (private acks and the
 * spot pong carry none; linear echoes `""` when none was sent), so an ack names its `op` too.
 */
export type BybitDialect = 'stream' | 'trade';

export type BybitFrame =
  /** The answer to a request: matched by `reqId` when it echoes one of ours, else by `op`. */
  | { kind: 'ack'; reqId: string | undefined; op: string; result: unknown }
  | { kind: 'nack'; reqId: string | undefined; op: string; code: number | undefined; message: string }
  /** Anything else that parses (topic data, unknown shapes): the session's to route. */
  | { kind: 'message' }
  /** An ack that cannot be read (an `op` without a success flag, a code or a pong shape), or topic data that is not an object or array. */
  | { kind: 'wrong-shape' };

const MESSAGE: BybitFrame = Object.freeze({ kind: 'message' });
const WRONG_SHAPE: BybitFrame = Object.freeze({ kind: 'wrong-shape' });

const RESERVED = new Set(['op', 'req_id', 'reqId']);

/**
 * One request frame. `params` are the op's own fields (`args`, and on `/v5/trade` a `header`); they
 * may not set the envelope's own fields.
 */
export function encodeBybitRequest(
  dialect: BybitDialect,
  reqId: string,
  op: string,
  params: Readonly<Record<string, unknown>> | undefined,
): string {
  if (params !== undefined) {
    for (const key of Object.keys(params)) {
      if (RESERVED.has(key)) {
        throw new ExchangeConnectionError('INVALID_REQUEST', `Bybit ${op}: params may not set "${key}"`, { method: op });
      }
    }
  }
  const envelope = dialect === 'stream' ? { req_id: reqId, op, ...params } : { reqId, op, ...params };
  return JSON.stringify(envelope);
}

/** Classifies one parsed frame, never copying it; data messages get a shared constant (no allocation). */
export function decodeBybitFrame(frame: Readonly<Record<string, unknown>>): BybitFrame {
  // The hot path first: market data carries a topic and nothing of an ack. Its `data` is an object
  // (books, tickers) or an array (trades, private topics); anything else cannot be a Bybit message.
  if (typeof frame.topic === 'string') return typeof frame.data === 'object' && frame.data !== null ? MESSAGE : WRONG_SHAPE;
  const { op } = frame;
  if (typeof op !== 'string') return MESSAGE;
  const reqId = readReqId(frame);
  const { success, retCode } = frame;
  if (typeof success === 'boolean') {
    // The public pong is an ack of `ping` (`"op":"ping","ret_msg":"pong"`).
    if (success) return { kind: 'ack', reqId, op, result: frame };
    const message = text(frame.ret_msg);
    return { kind: 'nack', reqId, op, code: codeInText(message), message };
  }
  if (typeof retCode === 'number') {
    if (retCode === 0) return { kind: 'ack', reqId, op, result: frame.data };
    return { kind: 'nack', reqId, op, code: retCode, message: text(frame.retMsg) };
  }
  // The private pong names `pong` as its op and carries no success flag.
  if (op === 'pong') return { kind: 'ack', reqId, op: 'ping', result: frame };
  return WRONG_SHAPE;
}

// Bybit documents no code for stream acks, but some failure texts carry one ("...,code:10001");
// a code read from the text classifies better than words.
const CODE_IN_TEXT = /\bcode:(-?\d{1,9})\b/;

function codeInText(message: string): number | undefined {
  const match = CODE_IN_TEXT.exec(message);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Stands for a request id that is present but not a string: ours are always strings, so it echoes
 * someone else's request and must never be matched by `op` as if the venue had echoed none.
 */
const FOREIGN_REQ_ID = '\u0000not-a-string';

function readReqId(frame: Readonly<Record<string, unknown>>): string | undefined {
  const id = frame.req_id ?? frame.reqId;
  if (typeof id === 'string') return id.length > 0 ? id : undefined;
  return id === undefined || id === null ? undefined : FOREIGN_REQ_ID;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

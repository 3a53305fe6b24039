import type { BybitMarket } from './bybit-topics.js';

/** One client frame as Bybit reads it: `{"req_id":"…","op":"…","args":[…]}` (req_id optional). */
export interface BybitRequest {
  readonly kind: 'request';
  readonly op: string;
  readonly reqId: string | undefined;
  readonly args: readonly unknown[] | undefined;
}

export interface BybitUnreadable {
  readonly kind: 'unreadable';
  /** The op and req_id when they could still be read, so the answer can carry them. */
  readonly op: string | undefined;
  readonly reqId: string | undefined;
}

export function parseBybitFrame(text: string): BybitRequest | BybitUnreadable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', op: undefined, reqId: undefined };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'unreadable', op: undefined, reqId: undefined };
  }
  const record = parsed as Record<string, unknown>;
  const reqId =
    typeof record.req_id === 'string' ? record.req_id : typeof record.req_id === 'number' ? String(record.req_id) : undefined;
  if (typeof record.op !== 'string') return { kind: 'unreadable', op: undefined, reqId };
  if (record.args !== undefined && !Array.isArray(record.args)) return { kind: 'unreadable', op: record.op, reqId };
  return { kind: 'request', op: record.op, reqId, args: record.args as unknown[] | undefined };
}

/**
 * The acknowledgement of an op, in the shape of the endpoint that answers it (v5 "Connect" page):
 * spot `{success, ret_msg, conn_id, req_id?, op}` with `ret_msg` naming the op on success; linear
 * the same with `req_id` always present ("" when none was sent); private `{success, ret_msg, op,
 * conn_id}` with `req_id` first when one was sent. The docs' spot examples leave `req_id` out even
 * where the request had one; this exchange echoes it whenever it was sent, so clients can match.
 */
export function ackFrame(market: BybitMarket, connId: string, op: string, reqId: string | undefined, failure?: string): string {
  const success = failure === undefined;
  switch (market) {
    case 'spot':
      return JSON.stringify({
        success,
        ret_msg: failure ?? (op === 'subscribe' || op === 'unsubscribe' ? op : ''),
        conn_id: connId,
        ...(reqId === undefined ? {} : { req_id: reqId }),
        op,
      });
    case 'linear':
      return JSON.stringify({ success, ret_msg: failure ?? '', conn_id: connId, req_id: reqId ?? '', op });
    case 'private':
      return JSON.stringify({
        ...(reqId === undefined ? {} : { req_id: reqId }),
        success,
        ret_msg: failure ?? '',
        op,
        conn_id: connId,
      });
  }
}

/**
 * The answer to `{"op":"ping"}`: public endpoints acknowledge the op with `ret_msg: "pong"`; the
 * private endpoint answers `{"op":"pong","args":["<ms>"]}` (v5 "Connect" page, per product).
 */
export function pongFrame(market: BybitMarket, connId: string, reqId: string | undefined, now: number): string {
  if (market === 'private') {
    return JSON.stringify({
      ...(reqId === undefined ? {} : { req_id: reqId }),
      op: 'pong',
      args: [String(now)],
      conn_id: connId,
    });
  }
  if (market === 'spot') {
    return JSON.stringify({
      success: true,
      ret_msg: 'pong',
      conn_id: connId,
      ...(reqId === undefined ? {} : { req_id: reqId }),
      op: 'ping',
    });
  }
  return JSON.stringify({ success: true, ret_msg: 'pong', conn_id: connId, req_id: reqId ?? '', op: 'ping' });
}

/** Encodes a topic message: `topic` first, then the stream's fields in the venue's order. */
export function topicMessage(topic: string, body: unknown): string {
  return JSON.stringify({ topic, ...(body as Record<string, unknown>) });
}

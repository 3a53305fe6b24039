import type { RawData } from 'ws';
import type { JsonRpcNotification } from './client-types.js';
import { readFrame, UnusableFrame, type FrameLimits, type MalformedReason } from './frame-guard.js';

/** What one inbound frame means in JSON-RPC 2.0. */
export type InboundFrame =
  | { kind: 'response'; id: number; result: unknown }
  | { kind: 'error-response'; id: number; code: number; message: string }
  | { kind: 'notification'; notification: JsonRpcNotification }
  | { kind: 'malformed'; reason: MalformedReason };

const MALFORMED: { readonly [R in MalformedReason]: InboundFrame } = {
  binary: { kind: 'malformed', reason: 'binary' },
  'too-large': { kind: 'malformed', reason: 'too-large' },
  unparsable: { kind: 'malformed', reason: 'unparsable' },
  'too-deep': { kind: 'malformed', reason: 'too-deep' },
  'not-an-object': { kind: 'malformed', reason: 'not-an-object' },
  'wrong-shape': { kind: 'malformed', reason: 'wrong-shape' },
  'unknown-id': { kind: 'malformed', reason: 'unknown-id' },
};

/**
 * Turns one inbound WebSocket message into a JSON-RPC frame or a reason it is unusable (the frame
 * guard's bounds first). Never throws: a venue (or anything in between) sending junk must not take
 * the connection down.
 */
export function parseFrame(data: RawData, isBinary: boolean, limits: Required<FrameLimits>): InboundFrame {
  const value = readFrame(data, isBinary, limits);
  if (value instanceof UnusableFrame) return MALFORMED[value.reason];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return MALFORMED['not-an-object'];
  return classify(value as Record<string, unknown>);
}

function classify(frame: Record<string, unknown>): InboundFrame {
  const { id } = frame;
  if (id !== undefined && id !== null) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return MALFORMED['wrong-shape'];
    if ('result' in frame) return { kind: 'response', id, result: frame.result };
    const error = frame.error;
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as Record<string, unknown>;
      if (typeof code === 'number') {
        return { kind: 'error-response', id, code, message: typeof message === 'string' ? message : '' };
      }
    }
    return MALFORMED['wrong-shape'];
  }
  if (typeof frame.method === 'string' && frame.method.length > 0) {
    // JSON-RPC also allows array params, but every venue this library targets sends an object;
    // anything else cannot be routed and is treated as junk.
    const { params } = frame;
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      return MALFORMED['wrong-shape'];
    }
    // The parsed object is handed on as is (no copy per message): method and params are checked.
    return { kind: 'notification', notification: frame as unknown as JsonRpcNotification };
  }
  return MALFORMED['wrong-shape'];
}

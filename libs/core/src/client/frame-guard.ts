import type { RawData } from 'ws';
import type { JsonRpcNotification } from './client-types.js';

/** Why a frame was unusable. Stable strings: they appear in `malformed` events and stats. */
export type MalformedReason = 'binary' | 'unparsable' | 'not-an-object' | 'wrong-shape' | 'unknown-id';

export type InboundFrame =
  | { kind: 'response'; id: number; result: unknown }
  | { kind: 'error-response'; id: number; code: number; message: string }
  | { kind: 'notification'; notification: JsonRpcNotification }
  | { kind: 'malformed'; reason: MalformedReason };

/**
 * Turns one inbound WebSocket message into a JSON-RPC frame or a reason it is unusable. Never
 * throws: a venue (or anything in between) sending junk must not take the connection down.
 */
export function parseFrame(data: RawData, isBinary: boolean): InboundFrame {
  if (isBinary) return { kind: 'malformed', reason: 'binary' };
  let value: unknown;
  try {
    value = JSON.parse(toText(data));
  } catch {
    return { kind: 'malformed', reason: 'unparsable' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', reason: 'not-an-object' };
  }
  return classify(value as Record<string, unknown>);
}

function classify(frame: Record<string, unknown>): InboundFrame {
  const { id } = frame;
  if (id !== undefined && id !== null) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { kind: 'malformed', reason: 'wrong-shape' };
    if ('result' in frame) return { kind: 'response', id, result: frame.result };
    const error = frame.error;
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as Record<string, unknown>;
      if (typeof code === 'number') {
        return { kind: 'error-response', id, code, message: typeof message === 'string' ? message : '' };
      }
    }
    return { kind: 'malformed', reason: 'wrong-shape' };
  }
  if (typeof frame.method === 'string' && frame.method.length > 0) {
    // JSON-RPC also allows array params, but every venue this library targets sends an object;
    // anything else cannot be routed and is treated as junk.
    const { params } = frame;
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      return { kind: 'malformed', reason: 'wrong-shape' };
    }
    // The parsed object is handed on as is (no copy per message): method and params are checked.
    return { kind: 'notification', notification: frame as unknown as JsonRpcNotification };
  }
  return { kind: 'malformed', reason: 'wrong-shape' };
}

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * Counts unusable frames and says when to log one: the first, then every `every`-th, so a venue
 * spewing junk cannot flood the logs.
 */
export class MalformedCounter {
  private total = 0;
  private readonly byReason = new Map<MalformedReason, number>();

  constructor(private readonly every = 100) {}

  record(reason: MalformedReason): { count: number; log: boolean } {
    this.total += 1;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    return { count: this.total, log: this.total === 1 || this.total % this.every === 0 };
  }

  get count(): number {
    return this.total;
  }

  reasons(): Record<string, number> {
    return Object.fromEntries(this.byReason);
  }
}

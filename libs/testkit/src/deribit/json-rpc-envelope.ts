import { rpcErrors, type RpcError, type RpcErrorBody } from './deribit-errors.js';

export type RpcId = number | string;
export type RpcParams = Readonly<Record<string, unknown>>;

export interface InboundRequest {
  readonly kind: 'request';
  readonly id: RpcId;
  readonly method: string;
  readonly params: RpcParams;
}

export interface InboundRejection {
  readonly kind: 'rejection';
  /** The request's id when it could be read, else null (JSON-RPC says so for unreadable requests). */
  readonly id: RpcId | null;
  readonly error: RpcError;
}

export type InboundFrame = InboundRequest | InboundRejection;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRpcId(value: unknown): value is RpcId {
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string';
}

/**
 * Reads one inbound text frame the way Deribit does: named params only, no batches, no client
 * notifications (a request without `id` is rejected).
 */
export function parseInboundFrame(text: string): InboundFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'rejection', id: null, error: rpcErrors.parseError() };
  }
  if (!isRecord(parsed)) {
    const reason = Array.isArray(parsed) ? 'batch requests are not supported' : 'request must be an object';
    return { kind: 'rejection', id: null, error: rpcErrors.invalidRequest(reason) };
  }
  const id = isRpcId(parsed.id) ? parsed.id : null;
  if (parsed.jsonrpc !== undefined && parsed.jsonrpc !== '2.0') {
    return { kind: 'rejection', id, error: rpcErrors.invalidRequest('jsonrpc must be "2.0"') };
  }
  if (id === null) {
    return { kind: 'rejection', id: null, error: rpcErrors.invalidRequest('id is required') };
  }
  if (typeof parsed.method !== 'string' || parsed.method.length === 0) {
    return { kind: 'rejection', id, error: rpcErrors.invalidRequest('method must be a non-empty string') };
  }
  if (parsed.params !== undefined && !isRecord(parsed.params)) {
    return { kind: 'rejection', id, error: rpcErrors.invalidParams('params', 'must be an object (named params)') };
  }
  return { kind: 'request', id, method: parsed.method, params: parsed.params ?? {} };
}

export interface Timing {
  /** Microseconds since the epoch when the request arrived. */
  readonly usIn: number;
  readonly usOut: number;
}

export function successEnvelope(id: RpcId, result: unknown, timing: Timing): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    result,
    usIn: timing.usIn,
    usOut: timing.usOut,
    usDiff: timing.usOut - timing.usIn,
    testnet: true,
  });
}

export function errorEnvelope(id: RpcId | null, error: RpcErrorBody, timing: Timing): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    error,
    usIn: timing.usIn,
    usOut: timing.usOut,
    usDiff: timing.usOut - timing.usIn,
    testnet: true,
  });
}

export function subscriptionNotification(channel: string, data: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: { channel, data } });
}

export type HeartbeatType = 'heartbeat' | 'test_request';

export function heartbeatNotification(type: HeartbeatType): string {
  return JSON.stringify({ jsonrpc: '2.0', method: 'heartbeat', params: { type } });
}

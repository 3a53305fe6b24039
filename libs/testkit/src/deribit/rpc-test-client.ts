import type { WebSocket } from 'ws';
import { connectClient, isRecord, WsTestClient } from '../shared/testing/ws-test-client.js';

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** A response envelope exactly as received. */
export interface RpcResponse<T = unknown> {
  jsonrpc: '2.0';
  id: number | string | null;
  result?: T;
  error?: RpcErrorObject;
  usIn: number;
  usOut: number;
  usDiff: number;
  testnet: boolean;
}

export interface RpcNotification {
  jsonrpc: '2.0';
  method: string;
  params: { channel?: string; data?: unknown; type?: string };
}

export interface RpcTestClientOptions {
  /** Answer `test_request` heartbeats with `public/test` like a well-behaved client (default true). */
  answerTestRequests?: boolean;
  /** Default bound for every wait (ms). */
  timeoutMs?: number;
}

export class RpcCallError extends Error {
  constructor(
    readonly method: string,
    readonly error: RpcErrorObject,
  ) {
    super(`${method} failed: ${error.code} ${error.message}`);
    this.name = 'RpcCallError';
  }
}

/**
 * A plain `ws` JSON-RPC client for tests against the test exchange (or any Deribit-like server).
 * It records every frame, so tests can assert on exactly what came over the wire.
 */
export class RpcTestClient extends WsTestClient {
  private nextId = 0;
  private readonly pending = new Map<number, (response: RpcResponse) => void>();
  private readonly answerTestRequests: boolean;

  private constructor(socket: WebSocket, options: RpcTestClientOptions) {
    super(socket, options);
    this.answerTestRequests = options.answerTestRequests ?? true;
  }

  static connect(url: string, options: RpcTestClientOptions = {}): Promise<RpcTestClient> {
    return connectClient(url, {}, (socket) => new RpcTestClient(socket, options));
  }

  /** Sends a request and resolves with the whole response envelope (errors included). */
  request<T = unknown>(method: string, params?: Record<string, unknown>, timeoutMs = this.timeoutMs): Promise<RpcResponse<T>> {
    this.nextId += 1;
    const id = this.nextId;
    const frame = JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} (id ${id}) got no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (response) => {
        clearTimeout(timer);
        resolve(response as RpcResponse<T>);
      });
      this.socket.send(frame, (error) => {
        if (error === undefined || error === null) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  /** Sends a request; resolves with `result`, rejects with `RpcCallError` on an error response. */
  async call<T = unknown>(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<T> {
    const response = await this.request<T>(method, params, timeoutMs);
    if (response.error !== undefined) throw new RpcCallError(method, response.error);
    return response.result as T;
  }

  /** `public/auth` with client credentials; returns the grant. */
  auth(
    clientId = 'test-client',
    clientSecret = 'test-secret',
  ): Promise<{ access_token: string; refresh_token: string; expires_in: number; scope: string }> {
    return this.call('public/auth', { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  }

  /** Data of every notification received on `channel`, in order. */
  notifications(channel: string): unknown[] {
    return this.messages
      .filter((m) => isRecord(m) && m.method === 'subscription' && isRecord(m.params) && m.params.channel === channel)
      .map((m) => (m as unknown as RpcNotification).params.data);
  }

  /** Waits until `count` notifications arrived on `channel`; returns all of them. */
  waitForNotifications(channel: string, count: number, timeoutMs = this.timeoutMs): Promise<unknown[]> {
    return this.waitForCount(() => this.notifications(channel), count, `notifications on ${channel}`, timeoutMs);
  }

  heartbeats(type?: 'heartbeat' | 'test_request'): number {
    return this.messages.filter(
      (m) => isRecord(m) && m.method === 'heartbeat' && isRecord(m.params) && (type === undefined || m.params.type === type),
    ).length;
  }

  protected override onMessage(message: unknown): void {
    if (!isRecord(message)) return;
    if (typeof message.id === 'number' && ('result' in message || 'error' in message)) {
      const settle = this.pending.get(message.id);
      this.pending.delete(message.id);
      settle?.(message as unknown as RpcResponse);
    }
    if (
      this.answerTestRequests &&
      message.method === 'heartbeat' &&
      isRecord(message.params) &&
      message.params.type === 'test_request'
    ) {
      this.request('public/test').catch(() => undefined);
    }
  }
}

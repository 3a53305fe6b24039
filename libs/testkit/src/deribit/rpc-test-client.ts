import { WebSocket, type RawData } from 'ws';

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

interface Waiter {
  readonly predicate: (message: unknown) => boolean;
  readonly resolve: (message: unknown) => void;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * A plain `ws` JSON-RPC client for tests against the test exchange (or any Deribit-like server).
 * It records every frame, so tests can assert on exactly what came over the wire.
 */
export class RpcTestClient {
  /** Every text frame received, parsed when it was JSON, else the raw string. */
  readonly messages: unknown[] = [];
  readonly socket: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 0;
  private readonly pending = new Map<number, (response: RpcResponse) => void>();
  private waiters: Waiter[] = [];
  private readonly timeoutMs: number;
  private readonly answerTestRequests: boolean;
  private isClosed = false;

  private constructor(socket: WebSocket, options: RpcTestClientOptions) {
    this.socket = socket;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.answerTestRequests = options.answerTestRequests ?? true;
    socket.on('message', (data) => this.onMessage(rawText(data)));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  static connect(url: string, options: RpcTestClientOptions = {}): Promise<RpcTestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const client = new RpcTestClient(socket, options);
      socket.once('open', () => {
        socket.off('error', reject);
        resolve(client);
      });
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        reject(Object.assign(new Error(`upgrade rejected with HTTP ${response.statusCode}`), { status: response.statusCode }));
        response.resume();
        socket.terminate();
      });
    });
  }

  get isOpen(): boolean {
    return !this.isClosed && this.socket.readyState === WebSocket.OPEN;
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

  sendRaw(frame: string | Buffer): void {
    this.socket.send(frame);
  }

  /** Resolves with the first message (already received or future) matching `predicate`. */
  waitForMessage(predicate: (message: unknown) => boolean, timeoutMs = this.timeoutMs, includePast = true): Promise<unknown> {
    if (includePast) {
      const found = this.messages.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Data of every notification received on `channel`, in order. */
  notifications(channel: string): unknown[] {
    return this.messages
      .filter((m) => isObject(m) && m.method === 'subscription' && isObject(m.params) && m.params.channel === channel)
      .map((m) => (m as unknown as RpcNotification).params.data);
  }

  /** Waits until `count` notifications arrived on `channel`; returns all of them. */
  async waitForNotifications(channel: string, count: number, timeoutMs = this.timeoutMs): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.notifications(channel).length < count) {
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`only ${this.notifications(channel).length}/${count} notifications on ${channel} within ${timeoutMs} ms`);
      await this.waitForMessage(
        (m) => isObject(m) && m.method === 'subscription' && isObject(m.params) && m.params.channel === channel,
        remaining,
        false,
      ).catch(() => undefined);
    }
    return this.notifications(channel);
  }

  heartbeats(type?: 'heartbeat' | 'test_request'): number {
    return this.messages.filter(
      (m) => isObject(m) && m.method === 'heartbeat' && isObject(m.params) && (type === undefined || m.params.type === type),
    ).length;
  }

  /** Resolves with the close code and reason, or rejects if the socket stays open past the bound. */
  waitForClose(timeoutMs = this.timeoutMs): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.closed, timeout]).finally(() => clearTimeout(timer));
  }

  /** Closes and waits for the close; terminates if the peer does not answer (e.g. a black hole). */
  async close(timeoutMs = 1000): Promise<void> {
    if (this.isClosed) return;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000, 'test done');
    try {
      await this.waitForClose(timeoutMs);
    } catch {
      this.socket.terminate();
      await this.closed;
    }
  }

  private onMessage(text: string): void {
    let message: unknown = text;
    try {
      message = JSON.parse(text);
    } catch {
      // Kept as the raw string: tests of malformed frames look at it.
    }
    this.messages.push(message);
    if (isObject(message)) {
      if (typeof message.id === 'number' && ('result' in message || 'error' in message)) {
        const settle = this.pending.get(message.id);
        this.pending.delete(message.id);
        settle?.(message as unknown as RpcResponse);
      }
      if (
        this.answerTestRequests &&
        message.method === 'heartbeat' &&
        isObject(message.params) &&
        message.params.type === 'test_request'
      ) {
        this.request('public/test').catch(() => undefined);
      }
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (waiter.predicate(message)) waiter.resolve(message);
      else this.waiters.push(waiter);
    }
  }
}

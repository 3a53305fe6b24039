import { connectClient, isRecord, WsTestClient, type WsTestClientOptions } from '../shared/testing/ws-test-client.js';
import { signBinanceHmac } from './binance-signature.js';

/** A market-stream answer as received: `{result, id}` or `{error: {code, msg}, id}`. */
export interface BinanceStreamResponse {
  result?: unknown;
  error?: { code: number; msg: string };
  id: number | string | null;
}

/** A WebSocket API response as received. */
export interface BinanceApiResponse<T = unknown> {
  id: number | string | null;
  status: number;
  result?: T;
  error?: { code: number; msg: string; data?: unknown };
  rateLimits?: unknown[];
}

/** A user data event as the WebSocket API delivers it. */
export interface BinanceUserDataFrame {
  subscriptionId: number;
  event: Record<string, unknown>;
}

export class BinanceRequestError extends Error {
  constructor(
    readonly method: string,
    readonly status: number | undefined,
    readonly error: { code: number; msg: string },
  ) {
    super(`${method} failed: ${error.code} ${error.msg}`);
    this.name = 'BinanceRequestError';
  }
}

/**
 * A plain `ws` client for Binance market streams (`/ws`, `/stream`, `/public/…`, `/market/…`): live
 * requests with ids, and the events received, raw or unwrapped from combined frames.
 */
export class BinanceStreamClient extends WsTestClient {
  private nextId = 0;

  static connect(url: string, options: WsTestClientOptions = {}): Promise<BinanceStreamClient> {
    return connectClient(url, { autoPong: options.autoPong ?? true }, (socket) => new BinanceStreamClient(socket, options));
  }

  /** Sends `{method, params, id}` and resolves with the answer (errors included). */
  async request(method: string, params?: unknown[], timeoutMs = this.timeoutMs): Promise<BinanceStreamResponse> {
    this.nextId += 1;
    const id = this.nextId;
    this.sendJson(params === undefined ? { method, id } : { method, params, id });
    return (await this.waitForMessage(
      (m) => isRecord(m) && m.id === id && ('result' in m || 'error' in m),
      timeoutMs,
      false,
    )) as BinanceStreamResponse;
  }

  /** Like `request`; rejects with `BinanceRequestError` on an error answer, else resolves with `result`. */
  async call(method: string, params?: unknown[]): Promise<unknown> {
    const response = await this.request(method, params);
    if (response.error !== undefined) throw new BinanceRequestError(method, undefined, response.error);
    return response.result;
  }

  subscribe(streams: string[]): Promise<unknown> {
    return this.call('SUBSCRIBE', streams);
  }

  unsubscribe(streams: string[]): Promise<unknown> {
    return this.call('UNSUBSCRIBE', streams);
  }

  /**
   * Events received (`data` of combined frames, raw payloads otherwise), optionally only those of
   * one stream (combined frames) or one event type `e`.
   */
  events(filter: { stream?: string; type?: string } = {}): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const message of this.messages) {
      if (!isRecord(message) || 'result' in message || 'error' in message) continue;
      const combined = typeof message.stream === 'string' && 'data' in message;
      if (filter.stream !== undefined && (!combined || message.stream !== filter.stream)) continue;
      const event = combined ? message.data : message;
      if (!isRecord(event)) continue;
      if (filter.type !== undefined && event.e !== filter.type) continue;
      out.push(event);
    }
    return out;
  }

  waitForEvents(
    count: number,
    filter: { stream?: string; type?: string } = {},
    timeoutMs?: number,
  ): Promise<Array<Record<string, unknown>>> {
    return this.waitForCount(() => this.events(filter), count, `events ${JSON.stringify(filter)}`, timeoutMs);
  }
}

/** A plain `ws` client for the spot WebSocket API (`/ws-api/v3`): requests by id, signing, user data events. */
export class BinanceApiClient extends WsTestClient {
  private nextId = 0;

  static connect(url: string, options: WsTestClientOptions = {}): Promise<BinanceApiClient> {
    return connectClient(url, { autoPong: options.autoPong ?? true }, (socket) => new BinanceApiClient(socket, options));
  }

  async request<T = unknown>(
    method: string,
    params?: Record<string, unknown>,
    timeoutMs = this.timeoutMs,
  ): Promise<BinanceApiResponse<T>> {
    this.nextId += 1;
    const id = `r${this.nextId}`;
    this.sendJson(params === undefined ? { id, method } : { id, method, params });
    return (await this.waitForMessage(
      (m) => isRecord(m) && m.id === id && 'status' in m,
      timeoutMs,
      false,
    )) as BinanceApiResponse<T>;
  }

  async call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T> {
    const response = await this.request<T>(method, params);
    if (response.error !== undefined) throw new BinanceRequestError(method, response.status, response.error);
    return response.result as T;
  }

  /** `userDataStream.subscribe.signature` signed with an HMAC secret; resolves with the subscription id. */
  async subscribeUserData(apiKey = 'test-key', secretKey = 'test-secret', timestamp = Date.now()): Promise<number> {
    const params: Record<string, unknown> = { apiKey, timestamp };
    params.signature = signBinanceHmac(secretKey, params);
    return (await this.call<{ subscriptionId: number }>('userDataStream.subscribe.signature', params)).subscriptionId;
  }

  /** User data events `{subscriptionId, event}` received (optionally of one subscription). */
  userDataEvents(subscriptionId?: number): BinanceUserDataFrame[] {
    return this.messages.filter(
      (m): m is BinanceUserDataFrame =>
        isRecord(m) &&
        typeof m.subscriptionId === 'number' &&
        isRecord(m.event) &&
        (subscriptionId === undefined || m.subscriptionId === subscriptionId),
    );
  }

  waitForUserDataEvents(count: number, subscriptionId?: number, timeoutMs?: number): Promise<BinanceUserDataFrame[]> {
    return this.waitForCount(() => this.userDataEvents(subscriptionId), count, 'user data events', timeoutMs);
  }
}

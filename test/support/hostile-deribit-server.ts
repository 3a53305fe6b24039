import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** What the server answers one request with: a result, or a JSON-RPC error. */
export type HostileAnswer = { result: unknown } | { error: { code: number; message: string } };

/** Decides the answer to one method; `params` as sent. */
export type HostileResponder = (params: Record<string, unknown> | undefined) => HostileAnswer;

/**
 * A real `ws` server that speaks just enough Deribit JSON-RPC for a SupervisedConnection (or the
 * example app) to become ready (auth, heartbeat, cancel-on-disconnect, subscribe/unsubscribe,
 * public/test), and can then push any bytes at it, answer any method however a test likes
 * (`respond`), or leave channels out of subscribe results (`refuse`): the TestExchange only sends
 * well-defined faults.
 */
export class HostileServer {
  readonly subscriptions = new Set<string>();
  /** Channels left out of every subscribe result while listed here. */
  readonly refuse = new Set<string>();
  /** Requests received per method. */
  readonly methodCounts = new Map<string, number>();
  connections = 0;
  requests = 0;
  private readonly responders = new Map<string, HostileResponder>();
  private closing: Promise<void> | undefined;

  private constructor(private readonly wss: WebSocketServer) {
    wss.on('connection', (ws) => {
      this.connections++;
      // A new socket starts with no subscriptions, like any venue.
      this.subscriptions.clear();
      ws.on('error', () => undefined);
      ws.on('message', (data, isBinary) => {
        if (!isBinary) this.answer(ws, data.toString());
      });
    });
  }

  static async start(): Promise<HostileServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    return new HostileServer(wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws/api/v2`;
  }

  get openSockets(): number {
    return this.wss.clients.size;
  }

  /** Sends one frame to every client; resolves when the socket buffer accepted it. */
  async send(frame: string | Buffer, binary = false): Promise<void> {
    await Promise.all(
      [...this.wss.clients].map((ws) => new Promise<void>((resolve) => ws.send(frame, { binary }, () => resolve()))),
    );
  }

  /** From now on, `method` is answered by `responder` (undefined: the default answer again). */
  respond(method: string, responder: HostileResponder | undefined): void {
    if (responder) this.responders.set(method, responder);
    else this.responders.delete(method);
  }

  count(method: string): number {
    return this.methodCounts.get(method) ?? 0;
  }

  /** Drops every socket without a close frame (a client rebuilds its session). */
  terminateAll(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  /** A close frame with any code and reason bytes, to every client. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.wss.clients) ws.close(code, reason);
  }

  /** A well-formed subscription notification. */
  notify(channel: string, data: unknown): Promise<void> {
    return this.send(JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: { channel, data } }));
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const ws of this.wss.clients) ws.terminate();
      this.wss.close(() => resolve());
    });
    return this.closing;
  }

  private answer(ws: WebSocket, text: string): void {
    let request: { id?: unknown; method?: unknown; params?: Record<string, unknown> & { channels?: unknown } };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      return;
    }
    if (typeof request.id !== 'number' || typeof request.method !== 'string') return;
    this.requests++;
    this.methodCounts.set(request.method, this.count(request.method) + 1);
    const responder = this.responders.get(request.method);
    if (responder) {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, ...responder(request.params) }));
      return;
    }
    const channels = Array.isArray(request.params?.channels)
      ? request.params.channels.filter((c): c is string => typeof c === 'string')
      : [];
    let result: unknown;
    switch (request.method) {
      case 'public/auth':
        result = {
          access_token: 'hostile-access',
          refresh_token: 'hostile-refresh',
          expires_in: 900,
          token_type: 'bearer',
          scope: 'connection',
        };
        break;
      case 'public/subscribe':
      case 'private/subscribe': {
        const accepted = channels.filter((c) => !this.refuse.has(c));
        for (const c of accepted) this.subscriptions.add(c);
        result = accepted;
        break;
      }
      case 'public/unsubscribe':
      case 'private/unsubscribe':
        for (const c of channels) this.subscriptions.delete(c);
        result = channels;
        break;
      case 'public/test':
        result = { version: 'hostile' };
        break;
      default:
        result = 'ok';
    }
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result }));
  }
}

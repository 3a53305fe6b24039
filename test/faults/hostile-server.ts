import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A real `ws` server that speaks just enough Deribit JSON-RPC for a SupervisedConnection to become
 * ready (auth, heartbeat, cancel-on-disconnect, subscribe/unsubscribe, public/test), and can then
 * push any bytes at it: the TestExchange only sends well-defined faults.
 */
export class HostileServer {
  readonly subscriptions = new Set<string>();
  connections = 0;
  requests = 0;
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
    let request: { id?: unknown; method?: unknown; params?: { channels?: unknown } };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      return;
    }
    if (typeof request.id !== 'number' || typeof request.method !== 'string') return;
    this.requests++;
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
      case 'private/subscribe':
        for (const c of channels) this.subscriptions.add(c);
        result = channels;
        break;
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

import { Buffer } from 'node:buffer';
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** What the listener does with an upgrade request: accept it on a named route, or refuse it. */
export type UpgradeDecision = { accept: string } | { reject: number };

export interface WsListenerOptions {
  readonly host: string;
  /** Hard bound enforced by ws itself (it closes with 1009 above it). */
  readonly hardMaxPayload: number;
  /** Decides an upgrade from its URL (and the exchange's faults and limits). */
  readonly decideUpgrade: (url: URL, request: IncomingMessage) => UpgradeDecision;
  readonly onConnection: (socket: WebSocket, request: IncomingMessage, route: string, url: URL) => void;
  /**
   * Plain HTTP requests (a venue's REST snapshot endpoint); returns false when it has no such
   * route, and the listener answers 426 like a WebSocket-only endpoint.
   */
  readonly onHttpRequest?: (request: IncomingMessage, response: ServerResponse, url: URL) => boolean;
}

function rejectUpgrade(socket: Duplex, status: number): void {
  const text = STATUS_CODES[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
  socket.destroy();
}

/** The HTTP listener and WebSocket upgrade path of one exchange; knows nothing of any venue protocol. */
export class WsListener {
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;

  constructor(private readonly options: WsListenerOptions) {}

  listen(port: number): Promise<number> {
    // autoPong off: a black-holed exchange must not answer pings either (sessions pong by hand).
    const wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: this.options.hardMaxPayload });
    const http = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (this.options.onHttpRequest?.(request, response, url) === true) return;
      response.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
      response.end('WebSocket upgrade required');
    });
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined);
      const url = new URL(request.url ?? '/', 'http://localhost');
      const decision = this.options.decideUpgrade(url, request);
      if ('reject' in decision) return rejectUpgrade(socket, decision.reject);
      wss.handleUpgrade(request, socket, head, (ws) => this.options.onConnection(ws, request, decision.accept, url));
    });
    this.http = http;
    this.wss = wss;
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      http.once('error', onError);
      http.listen(port, this.options.host, () => {
        http.off('error', onError);
        http.on('error', () => undefined);
        const address = http.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  /** Closes the listener; live WebSockets must already be terminated by the caller. */
  async close(): Promise<void> {
    const { http, wss } = this;
    this.http = undefined;
    this.wss = undefined;
    await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    if (http === undefined) return;
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
  }
}

import { STATUS_CODES, createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface WsListenerOptions {
  readonly host: string;
  readonly path: string;
  /** Hard bound enforced by ws itself (it closes with 1009 above it). */
  readonly hardMaxPayload: number;
  readonly upgradeRejection: () => number | null;
  readonly onConnection: (socket: WebSocket, request: IncomingMessage) => void;
  readonly onUpgradeRejected: (status: number) => void;
}

function rejectUpgrade(socket: Duplex, status: number): void {
  const text = STATUS_CODES[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
  socket.destroy();
}

/** The HTTP listener and WebSocket upgrade path; knows nothing of JSON-RPC. */
export class WsListener {
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;

  constructor(private readonly options: WsListenerOptions) {}

  listen(port: number): Promise<number> {
    // autoPong off: a black-holed exchange must not answer pings either (sessions pong by hand).
    const wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: this.options.hardMaxPayload });
    const http = createServer((_request, response) => {
      response.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
      response.end('WebSocket upgrade required');
    });
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined);
      const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (pathname !== this.options.path) return rejectUpgrade(socket, 404);
      const status = this.options.upgradeRejection();
      if (status !== null) {
        this.options.onUpgradeRejected(status);
        return rejectUpgrade(socket, status);
      }
      wss.handleUpgrade(request, socket, head, (ws) => this.options.onConnection(ws, request));
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

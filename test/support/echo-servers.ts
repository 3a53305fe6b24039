import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface TcpEchoServer {
  readonly port: number;
  /** Server-side sockets currently open. */
  readonly sockets: ReadonlySet<Socket>;
  close(): Promise<void>;
}

/** A raw TCP server on 127.0.0.1:0 that writes back `prefix + chunk`; half-open allowed so a FIN can be observed. */
export async function startTcpEchoServer(options: { prefix?: string } = {}): Promise<TcpEchoServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) =>
      socket.write(options.prefix === undefined ? chunk : Buffer.concat([Buffer.from(options.prefix), chunk])),
    );
    socket.on('end', () => socket.end());
  });
  const port = await listen(server);
  let closing: Promise<void> | undefined;
  return {
    port,
    sockets,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

export interface WsEchoServer {
  readonly port: number;
  readonly wss: WebSocketServer;
  url(path?: string): string;
  /** Resolves with the server side of the next connection. */
  nextConnection(): Promise<WebSocket>;
  close(): Promise<void>;
}

/** A plain `ws` server on 127.0.0.1:0 that echoes every message. */
export async function startWsEchoServer(): Promise<WsEchoServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const waiting: ((ws: WebSocket) => void)[] = [];
  const unclaimed: WebSocket[] = [];
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    const waiter = waiting.shift();
    if (waiter) waiter(ws);
    else unclaimed.push(ws);
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const port = (wss.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    wss,
    url: (path = '/ws/api/v2') => `ws://127.0.0.1:${port}${path}`,
    nextConnection: () => {
      const ready = unclaimed.shift();
      return ready ? Promise.resolve(ready) : new Promise<WebSocket>((resolve) => waiting.push(resolve));
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      });
      return closing;
    },
  };
}

/** A loopback port with nothing listening on it (bound, then released), for ECONNREFUSED. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

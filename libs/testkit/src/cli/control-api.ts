import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BadRequest } from './control-params.js';
import { routesFor, type ControllableExchange, type RouteTable } from './control-routes.js';

export type { ControllableExchange } from './control-routes.js';

export interface ControlApi {
  readonly port: number;
  close(): Promise<void>;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body, null, 2);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  response.end(payload);
}

async function handle(routes: RouteTable, venue: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method === 'GET' && url.pathname === '/') {
    reply(response, 200, { venue, get: ['/', ...Object.keys(routes.get)], post: Object.keys(routes.post) });
    return;
  }
  const table = request.method === 'POST' ? routes.post : request.method === 'GET' ? routes.get : undefined;
  const route = table?.[url.pathname];
  if (route === undefined) {
    const known = url.pathname in routes.post || url.pathname in routes.get;
    reply(response, known ? 405 : 404, {
      error: known ? `${request.method} not allowed on ${url.pathname}` : `no route ${url.pathname}`,
    });
    return;
  }
  try {
    const result = await route(url.searchParams);
    reply(response, 200, result === undefined ? { ok: true } : result);
  } catch (error) {
    const status = error instanceof BadRequest || error instanceof RangeError ? 400 : 500;
    reply(response, status, { error: error instanceof Error ? error.message : String(error) });
  }
}

/** A tiny loopback HTTP API to inject faults by hand (curl) into a running test exchange of any venue. */
export function startControlApi(exchange: ControllableExchange, port: number, host = '127.0.0.1'): Promise<ControlApi> {
  const routes = routesFor(exchange);
  const server: Server = createServer((request, response) => {
    request.resume();
    void handle(routes, exchange.venue, request, response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

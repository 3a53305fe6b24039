import { Buffer } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BadRequest } from './control-params.js';
import { routesFor, type ControllableExchange, type RouteTable } from './control-routes.js';

export type { ControllableExchange } from './control-routes.js';

export interface ControlApi {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The largest request body read (a raw frame): above what any test exchange's client accepts by
 * default, small enough that a mistaken upload cannot exhaust memory.
 */
const MAX_CONTROL_BODY_BYTES = 32 * 1024 * 1024;

class BodyTooLarge extends Error {}

/** The whole body, or BodyTooLarge once it passes the bound (the rest is then discarded unread). */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CONTROL_BODY_BYTES) {
        chunks.length = 0;
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLarge(`body above ${MAX_CONTROL_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body, null, 2);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  response.end(payload);
}

async function handle(routes: RouteTable, venue: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method === 'GET' && url.pathname === '/') {
    request.resume();
    reply(response, 200, { venue, get: ['/', ...Object.keys(routes.get)], post: Object.keys(routes.post) });
    return;
  }
  const table = request.method === 'POST' ? routes.post : request.method === 'GET' ? routes.get : undefined;
  const route = table?.[url.pathname];
  if (route === undefined) {
    request.resume();
    const known = url.pathname in routes.post || url.pathname in routes.get;
    reply(response, known ? 405 : 404, {
      error: known ? `${request.method} not allowed on ${url.pathname}` : `no route ${url.pathname}`,
    });
    return;
  }
  let body: Buffer;
  try {
    body = await readBody(request);
  } catch (error) {
    reply(response, error instanceof BodyTooLarge ? 413 : 400, { error: error instanceof Error ? error.message : String(error) });
    return;
  }
  try {
    const result = await route(url.searchParams, body);
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

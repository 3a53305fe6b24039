import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MALFORMED_KINDS, type MalformedKind } from '../shared/malformed-kind.js';
import type { TestExchange } from '../deribit/test-exchange.js';

export interface ControlApi {
  readonly port: number;
  close(): Promise<void>;
}

class BadRequest extends Error {}

type Query = URLSearchParams;
type Route = (exchange: TestExchange, query: Query) => unknown | Promise<unknown>;

function flag(query: Query, name: string): boolean {
  const value = query.get(name) ?? '1';
  if (['1', 'true', 'on', 'yes'].includes(value)) return true;
  if (['0', 'false', 'off', 'no'].includes(value)) return false;
  throw new BadRequest(`${name} must be 1/0 (got "${value}")`);
}

function integer(query: Query, name: string, fallback?: number): number {
  const raw = query.get(name);
  if (raw === null) {
    if (fallback !== undefined) return fallback;
    throw new BadRequest(`${name} is required`);
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new BadRequest(`${name} must be a non-negative integer (got "${raw}")`);
  return value;
}

function text(query: Query, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw new BadRequest(`${name} is required`);
  return value;
}

const POST_ROUTES: Readonly<Record<string, Route>> = {
  '/faults/close': (ex, q) => ex.closeAll(integer(q, 'code', 1000), q.get('reason') ?? ''),
  '/faults/terminate': (ex) => ex.terminateAll(),
  '/faults/black-hole': (ex, q) => ex.setBlackHole(flag(q, 'on')),
  '/faults/heartbeats': (ex, q) => ex.setHeartbeatsPaused(flag(q, 'paused')),
  '/faults/ignore-test-answers': (ex, q) => ex.setIgnoreTestAnswers(flag(q, 'on')),
  '/faults/reject-auth': (ex, q) => ex.setRejectAuth(flag(q, 'on')),
  '/faults/expire-tokens': (ex) => ex.expireTokens(),
  '/faults/delay': (ex, q) => ex.setResponseDelay(integer(q, 'ms')),
  '/faults/rate-limit': (ex, q) =>
    q.get('off') !== null
      ? ex.setRateLimit(false)
      : ex.setRateLimit({ capacity: integer(q, 'capacity'), refillPerSec: integer(q, 'refill') }),
  '/faults/upgrade-rejection': (ex, q) => {
    const status = q.get('status');
    ex.setUpgradeRejection(status === null || status === 'off' ? null : integer(q, 'status'));
  },
  '/faults/malformed': (ex, q) => {
    const kind = text(q, 'kind');
    if (!(MALFORMED_KINDS as readonly string[]).includes(kind))
      throw new BadRequest(`kind must be one of ${MALFORMED_KINDS.join(', ')}`);
    ex.sendMalformed(kind as MalformedKind);
  },
  '/faults/oversized': (ex, q) => ex.sendOversized(integer(q, 'bytes')),
  '/faults/book-gap': (ex, q) => ex.injectBookGap(text(q, 'channel')),
  '/publish': (ex, q) => ({ recipients: ex.publish(text(q, 'channel'), integer(q, 'count', 1)) }),
  '/restart': (ex) => ex.restart(),
  '/reset-counters': (ex) => ex.resetCounters(),
};

const GET_ROUTES: Readonly<Record<string, Route>> = {
  '/connections': (ex) => ex.connections(),
  '/counters': (ex) => ex.counters,
  '/request-log': (ex) => ex.requestLog,
  '/cancel-on-disconnect-firings': (ex) => ex.cancelOnDisconnectFirings,
  '/': () => ({ get: Object.keys(GET_ROUTES), post: Object.keys(POST_ROUTES) }),
};

function reply(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body, null, 2);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  response.end(payload);
}

async function handle(exchange: TestExchange, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const table = request.method === 'POST' ? POST_ROUTES : request.method === 'GET' ? GET_ROUTES : undefined;
  const route = table?.[url.pathname];
  if (route === undefined) {
    const known = url.pathname in POST_ROUTES || url.pathname in GET_ROUTES;
    reply(response, known ? 405 : 404, {
      error: known ? `${request.method} not allowed on ${url.pathname}` : `no route ${url.pathname}`,
    });
    return;
  }
  try {
    const result = await route(exchange, url.searchParams);
    reply(response, 200, result === undefined ? { ok: true } : result);
  } catch (error) {
    const status = error instanceof BadRequest || error instanceof RangeError ? 400 : 500;
    reply(response, status, { error: error instanceof Error ? error.message : String(error) });
  }
}

/** A tiny loopback HTTP API to inject faults by hand (curl) into a running test exchange. */
export function startControlApi(exchange: TestExchange, port: number, host = '127.0.0.1'): Promise<ControlApi> {
  const server: Server = createServer((request, response) => {
    request.resume();
    void handle(exchange, request, response);
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

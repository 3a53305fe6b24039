import {
  DeribitAdapter,
  SupervisedConnection,
  noJitter,
  summarizeConnection,
  type ClientLogger,
  type ConnectionEvent,
  type ConnectionState,
  type SupervisedConnectionOptions,
} from '@exchange-connection/core';
import type { Subscription } from 'rxjs';
import { sleep, waitFor } from '../support/wait-for.js';
import { HostileServer } from '../support/hostile-deribit-server.js';

/**
 * A venue that sends what the test exchange never would, one finding of issue 12 per test: data
 * nested too deep to handle, frames too large to be real, token lifetimes no timer can schedule,
 * and error texts that try to forge log lines or drive the terminal. Each test fails on the code
 * before the fix; the connection must handle each as the venue's fault, never crash, stall or loop.
 */

const TICKER = 'ticker.BTC-PERPETUAL.100ms';
const CREDENTIALS = { kind: 'client_credentials' as const, clientId: 'hostile-id', clientSecret: 'hostile-secret' };
/** How long "nothing more may happen" is watched for. Today's refresh loop ran ~700 auths/s. */
const QUIET_WINDOW_MS = 300;
/** A forged log line, a screen clear and a colour: what a hostile error text carries. */
const FORGED =
  'invalid_credentials\n2026-01-01T00:00:00.000Z LOG [ExchangeConnection] ready in 3 ms\r\u001b[2J\u001b[31mowned\u001b[0m\u202e';
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

interface LogRecord {
  level: string;
  message: string;
  context: Record<string, unknown>;
}

interface World {
  server: HostileServer;
  connection: SupervisedConnection;
  logs: LogRecord[];
  events: ConnectionEvent[];
  states: ConnectionState[];
  /** Everything each channel's consumer received. */
  received: Map<string, unknown[]>;
  streamErrors: unknown[];
}

const worlds: Array<{ world: World; subscriptions: Subscription[] }> = [];

async function hostileWorld(
  channels: string[],
  overrides: Partial<SupervisedConnectionOptions> = {},
  prepare?: (server: HostileServer) => void,
): Promise<World> {
  const server = await HostileServer.start();
  prepare?.(server);
  const logs: LogRecord[] = [];
  const keep = (level: string) => (message: string, context?: Record<string, unknown>) =>
    void logs.push({ level, message, context: context ?? {} });
  const logger: ClientLogger = { debug: keep('debug'), log: keep('log'), warn: keep('warn'), error: keep('error') };
  const connection = new SupervisedConnection({
    name: 'hostile',
    url: server.url,
    venue: new DeribitAdapter({ logger }),
    session: { credentials: CREDENTIALS },
    client: { heartbeat: false, requestTimeoutMs: 2_000, connectTimeoutMs: 1_000 },
    rebuild: { baseDelayMs: 20, maxBackoffMs: 100, jitter: noJitter },
    circuitBreaker: { failureThreshold: 3, cooldownMs: 60_000 },
    silenceTimeoutMs: 60_000,
    logger,
    ...overrides,
  });
  const world: World = { server, connection, logs, events: [], states: [], received: new Map(), streamErrors: [] };
  const subscriptions = [
    connection.events$.subscribe((e) => world.events.push(e)),
    connection.state$.subscribe((s) => world.states.push(s)),
    ...channels.map((channel) =>
      connection.channel$(channel).subscribe({
        next: (data) => world.received.set(channel, [...(world.received.get(channel) ?? []), data]),
        error: (e: unknown) => world.streamErrors.push(e),
      }),
    ),
  ];
  worlds.push({ world, subscriptions });
  connection.start();
  return world;
}

async function readyWorld(channels: string[], overrides: Partial<SupervisedConnectionOptions> = {}): Promise<World> {
  const world = await hostileWorld(channels, overrides);
  await world.connection.whenReady(5_000);
  await waitFor(() => channels.every((c) => world.server.subscriptions.has(c)), { message: 'channels subscribed' });
  return world;
}

afterEach(async () => {
  for (const { world, subscriptions } of worlds.splice(0)) {
    await world.connection.close();
    for (const s of subscriptions) s.unsubscribe();
    await world.server.close();
  }
});

/** A valid ticker after the hostile frame: the socket keeps order, so seeing it means the frame was handled. */
async function markerAfter(world: World, marker: number): Promise<void> {
  await world.server.notify(TICKER, { marker, instrument_name: 'BTC-PERPETUAL', timestamp: marker });
  await waitFor(() => (world.received.get(TICKER) ?? []).some((d) => (d as { marker?: number }).marker === marker), {
    message: `marker ${marker} delivered`,
  });
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) strings(v, out);
  return out;
}

describe('hostile venue: what the test exchange never sends', () => {
  it('5,000 nested arrays on a subscribed channel: dropped as too-deep, never handed to a consumer; the session lives on', async () => {
    const world = await readyWorld([TICKER]);
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    await world.server.send(`{"jsonrpc":"2.0","method":"subscription","params":{"channel":"${TICKER}","data":${deep}}}`);
    await markerAfter(world, 1);

    const delivered = world.received.get(TICKER) ?? [];
    expect(delivered.map((d) => Array.isArray(d))).toEqual([false]);
    // What the example gateway does with every message; it threw and took the process down.
    expect(() => delivered.map((d) => JSON.stringify(d))).not.toThrow();
    expect(world.connection.stats()).toMatchObject({
      state: 'ready',
      reconnects: 0,
      malformedFrames: 1,
      malformedByReason: { 'too-deep': 1 },
    });
    expect(world.server.connections).toBe(1);
    expect(world.logs.filter((l) => l.message === 'Unusable frame ignored').map((l) => l.context.reason)).toEqual(['too-deep']);
    expect(world.streamErrors).toEqual([]);
  });

  it('a notification the session can route nowhere (a channel that is no string) is counted as unrouted, never delivered', async () => {
    const world = await readyWorld([TICKER]);
    for (const channel of [42, null, { a: 1 }]) {
      await world.server.send(
        JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: { channel, data: { marker: -1 } } }),
      );
    }
    await markerAfter(world, 3);
    expect((world.received.get(TICKER) ?? []).map((d) => (d as { marker?: number }).marker)).toEqual([3]);
    expect(world.connection.stats()).toMatchObject({
      state: 'ready',
      reconnects: 0,
      malformedFrames: 3,
      malformedByReason: { unrouted: 3 },
    });
    // Rate-limited like every junk log line: the first, then every 100th.
    expect(world.logs.filter((l) => l.message === 'Unusable frame ignored').map((l) => l.context.reason)).toEqual(['unrouted']);
  });

  it("a frame above Deribit's size cap but under maxPayload: dropped as too-large, no rebuild", async () => {
    // Default limits: the client's maxPayload is 16 MiB, Deribit's cap 8 MiB. Deribit never sends a 9 MiB ticker.
    const world = await readyWorld([TICKER]);
    const padding = 'x'.repeat(9 * 1024 * 1024);
    await world.server.notify(TICKER, { instrument_name: 'BTC-PERPETUAL', timestamp: 0, padding });
    await markerAfter(world, 2);

    expect((world.received.get(TICKER) ?? []).map((d) => (d as { marker?: number }).marker)).toEqual([2]);
    expect(world.connection.stats()).toMatchObject({
      state: 'ready',
      reconnects: 0,
      malformedByReason: { 'too-large': 1 },
    });
    expect(world.server.connections).toBe(1);
    expect(world.logs.filter((l) => l.message === 'Unusable frame ignored').map((l) => l.context.reason)).toEqual(['too-large']);
  });

  it.each([3.1e6, 31_536_000])(
    'public/auth expires_in %p s (beyond what a timer holds): ready, and no refresh loop',
    async (expiresIn) => {
      const world = await hostileWorld([TICKER], {}, (server) =>
        server.respond('public/auth', () => ({
          result: { access_token: 'a', refresh_token: 'r', expires_in: expiresIn, token_type: 'bearer', scope: 'connection' },
        })),
      );
      await world.connection.whenReady(5_000);
      await sleep(QUIET_WINDOW_MS); // a window in which no refresh may happen
      expect(world.server.count('public/auth')).toBe(1);
      expect(world.connection.state).toBe('ready');
      expect(world.server.connections).toBe(1);
    },
  );

  it.each([1e-7, 0.5])(
    'public/auth expires_in %p s: a venue error that fails the build; the circuit opens, never a refresh loop while ready',
    async (expiresIn) => {
      const world = await hostileWorld([TICKER], {}, (server) =>
        server.respond('public/auth', () => ({
          result: { access_token: 'a', refresh_token: 'r', expires_in: expiresIn, token_type: 'bearer', scope: 'connection' },
        })),
      );
      await expect(world.connection.whenReady(5_000)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
      // One auth per build, three failed builds (the threshold), then the cool-down: nothing more.
      await sleep(QUIET_WINDOW_MS);
      expect(world.server.count('public/auth')).toBe(3);
      expect(world.server.connections).toBe(3);
      expect(world.states).not.toContain('ready');
      expect(world.connection.stats().lastError).toMatchObject({
        code: 'VENUE_ERROR',
        message: expect.stringContaining('expires_in'),
      });
    },
  );

  it('a venue error text with newlines and ANSI escapes reaches no log line, error, event or summary unclean', async () => {
    const world = await hostileWorld([TICKER], {}, (server) =>
      server.respond('public/auth', () => ({ error: { code: 13004, message: FORGED } })),
    );
    const error = (await world.connection.whenReady(5_000).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN' });
    const texts = [
      error.message,
      world.connection.stats().lastError?.message ?? '',
      summarizeConnection(world.connection).reason ?? '',
      ...strings(world.events),
      ...world.logs.flatMap((l) => [l.message, ...strings(l.context)]),
    ];
    // The venue's words are there, as one line: the forged line is not a line of its own.
    expect(texts.some((t) => t.includes('invalid_credentials 2026-01-01T00:00:00.000Z LOG'))).toBe(true);
    expect(texts.filter((t) => CONTROL.test(t))).toEqual([]);
  });

  it('an error answer to a request and a close reason, both hostile: cleaned in the rejection and the last error', async () => {
    const world = await readyWorld([TICKER]);
    world.server.respond('public/get_time', () => ({ error: { code: -32000, message: FORGED.repeat(20) } }));
    const error = (await world.connection.request('public/get_time').catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'VENUE_ERROR', venueCode: -32000 });
    expect(error.message).not.toMatch(CONTROL);
    expect(error.message.length).toBeLessThan(300);

    world.server.closeAll(4000, `bye\n${'\u001b[2J'.repeat(10)}`);
    await waitFor(() => world.connection.stats().lastError?.code === 'SOCKET_CLOSED', { message: 'the close seen' });
    expect(world.connection.stats().lastError?.message).not.toMatch(CONTROL);
    const texts = [...strings(world.events), ...world.logs.flatMap((l) => [l.message, ...strings(l.context)])];
    expect(texts.filter((t) => CONTROL.test(t))).toEqual([]);
  });
});

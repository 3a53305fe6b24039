/**
 * What every stream measurement does with its consumer paths, whatever the venue: a raw `ws`
 * client (the floor) or a supervised `channel$` consumer, counted into a sink, reached through
 * the `ws` socket under it (to pause reading while a backlog piles up, or to emit recorded frames
 * on), and recorded frames fed to a path in-process.
 */
import type { ExchangeClient, SupervisedConnection } from '@exchange-connection/core';
import { setImmediate as nextTurn } from 'node:timers/promises';
import WebSocket from 'ws';
import { collectYoungGarbage } from './gc.js';

/** What a path counts into; `onTarget` fires when `count` reaches `target` (see `reach`). */
export interface Sink {
  count: number;
  target: number;
  onTarget: (() => void) | undefined;
}

export interface ConsumerPath<N extends string = string> {
  readonly name: N;
  /** The socket under the path, so a run can pile up a backlog before it starts reading. */
  socket(): WebSocket;
  close(): Promise<void>;
}

/** Resolves once `sink` has counted `target`; rejects after `timeoutMs`. */
export function reach(sink: Sink, target: number, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (sink.count >= target) return resolve();
    const timer = setTimeout(() => reject(new Error(`received ${sink.count}/${target} within ${timeoutMs} ms`)), timeoutMs);
    sink.target = target;
    sink.onTarget = () => {
      clearTimeout(timer);
      sink.onTarget = undefined;
      resolve();
    };
  });
}

/**
 * The `ws` socket an ExchangeClient owns. Read through a private field: measurement only (to pause
 * reading while the exchange queues a backlog), never done by the library's users.
 */
export function clientSocket(client: ExchangeClient): WebSocket {
  const link = (client as unknown as { current?: { ws: WebSocket } }).current;
  if (link === undefined) throw new Error('client has no open socket');
  return link.ws;
}

function supervisedSocket(connection: SupervisedConnection): WebSocket {
  const client = (connection as unknown as { client?: ExchangeClient }).client;
  if (client === undefined) throw new Error('connection has no client');
  return clientSocket(client);
}

async function openSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

function terminate(ws: WebSocket): Promise<void> {
  return new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.terminate();
  });
}

/**
 * The raw path: a `ws` client on `url` that sends `subscribe` (as JSON) and reads every frame with
 * the venue's own `listener`, which calls `subscribed` on the venue's acknowledgement.
 */
export async function openRawPath(
  url: string,
  subscribe: unknown,
  listener: (subscribed: () => void) => (raw: Buffer) => void,
): Promise<ConsumerPath<'raw-ws'>> {
  const ws = await openSocket(url);
  const subscribed = new Promise<void>((resolve) => {
    ws.on('message', listener(resolve));
  });
  ws.send(JSON.stringify(subscribe));
  await subscribed;
  return { name: 'raw-ws', socket: () => ws, close: () => terminate(ws) };
}

/**
 * The supervised path: starts `connection`, whose consumer `subscription` is already taken, and
 * resolves once it is ready and the subscription is live on the session.
 */
export async function openSupervisedPath(
  connection: SupervisedConnection,
  subscription: { unsubscribe(): void },
): Promise<ConsumerPath<'supervised'>> {
  connection.start();
  await connection.whenReady(5_000);
  while (connection.stats().sessionSubscriptions < 1) await new Promise((r) => setTimeout(r, 5));
  return {
    name: 'supervised',
    socket: () => supervisedSocket(connection),
    close: async () => {
      subscription.unsubscribe();
      await connection.close();
    },
  };
}

/**
 * `count` frames exactly as the exchange sends them (text frames, as ws hands them over): sends
 * `subscribe` on `url`, keeps the frames `keep` accepts, hands every other to `other` (if given),
 * and calls `publish` once the subscribe is sent.
 */
export async function recordFrames(
  url: string,
  count: number,
  frames: { subscribe: unknown; keep(raw: Buffer): boolean; other?(raw: Buffer): void; publish?(): Promise<unknown> },
): Promise<Buffer[]> {
  const ws = await openSocket(url);
  const recorded: Buffer[] = [];
  const done = new Promise<void>((resolve) => {
    ws.on('message', (raw: Buffer) => {
      if (frames.keep(raw)) recorded.push(Buffer.from(raw));
      else frames.other?.(raw);
      if (recorded.length === count) resolve();
    });
  });
  ws.send(JSON.stringify(frames.subscribe));
  await frames.publish?.();
  await done;
  await terminate(ws);
  return recorded;
}

/**
 * Frames handed over per event-loop turn: what one 64 KiB socket read of ~650-byte tickers holds,
 * so per-read work (a clock read, a microtask) is paid as often as under a real backlog.
 */
const FRAMES_PER_READ = 100;

/**
 * Emits `total` recorded frames on the path's socket as `ws` would hand them over, FRAMES_PER_READ
 * per turn, then lets deferred work run. Every frame must reach `sink`.
 */
export async function feedFrames(path: ConsumerPath, sink: Sink, frames: readonly Buffer[], total: number): Promise<void> {
  const socket = path.socket();
  const expected = sink.count + total;
  for (let i = 0; i < total; i += 1) {
    socket.emit('message', frames[i % frames.length], false);
    if (i % FRAMES_PER_READ === FRAMES_PER_READ - 1) await nextTurn();
  }
  await nextTurn();
  if (sink.count !== expected) throw new Error(`${path.name}: delivered ${sink.count}, expected ${expected}`);
}

/** `feedFrames` after a young-generation GC, timed: CPU and wall time of the feed, deferred work included. */
export async function emitFrames(
  path: ConsumerPath,
  sink: Sink,
  frames: readonly Buffer[],
  total: number,
): Promise<{ cpuNs: number; wallNs: number }> {
  collectYoungGarbage();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await feedFrames(path, sink, frames, total);
  const wallNs = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  return { cpuNs: (cpu.user + cpu.system) * 1_000, wallNs };
}

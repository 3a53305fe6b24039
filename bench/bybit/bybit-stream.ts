/**
 * The Bybit row: one Bybit topic stream consumed two ways, interleaved — a raw `ws` client doing
 * `JSON.parse` per frame and a topic check (the floor), and a supervised `channel$` consumer over
 * the BybitAdapter — measured twice:
 * - **loopback backlog** (the exchange in a child process): both consumers subscribed and paused,
 *   the exchange queues a batch to both, then each reads its copy in turn (order alternating per
 *   round); CPU/message of this process over each drain;
 * - **in-process frame path** (as frame-path.ts): recorded frames emitted on each path's own
 *   socket, no network, so only the library's work differs between the paths.
 * Paths alternate order every round; the ratio is the median of per-round (supervised ÷ raw).
 */
import { BybitAdapter, SupervisedConnection, type ExchangeClient } from '@exchange-connection/core';
import { setImmediate as nextTurn } from 'node:timers/promises';
import WebSocket from 'ws';
import { collectGarbage } from '../support/gc.js';
import { silentLogger } from '../support/silent-logger.js';
import { median } from '../support/stats.js';
import type { RemoteBybit } from './remote-bybit.js';

export type BybitPathName = 'raw-ws' | 'supervised';

interface Sink {
  count: number;
  target: number;
  onTarget: (() => void) | undefined;
}

interface BybitPath {
  readonly name: BybitPathName;
  readonly sink: Sink;
  socket(): WebSocket;
  close(): Promise<void>;
}

/** What both paths do with a message: look at it (as a consumer would) and count it. */
function consume(sink: Sink, message: { topic?: unknown }): void {
  if (message.topic === undefined) return;
  sink.count += 1;
  if (sink.count === sink.target) sink.onTarget?.();
}

async function openRaw(url: string, topic: string): Promise<BybitPath> {
  const sink: Sink = { count: 0, target: Infinity, onTarget: undefined };
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const subscribed = new Promise<void>((resolve) => {
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as { topic?: string; op?: string };
      if (frame.topic === topic) consume(sink, frame);
      else if (frame.op === 'subscribe') resolve();
    });
  });
  ws.send(JSON.stringify({ req_id: '1', op: 'subscribe', args: [topic] }));
  await subscribed;
  return {
    name: 'raw-ws',
    sink,
    socket: () => ws,
    close: () =>
      new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.terminate();
      }),
  };
}

/** The `ws` socket under a supervised connection. Read through private fields: measurement only. */
function supervisedSocket(connection: SupervisedConnection): WebSocket {
  const client = (connection as unknown as { client?: ExchangeClient }).client;
  const link = (client as unknown as { current?: { ws: WebSocket } } | undefined)?.current;
  if (link === undefined) throw new Error('connection has no open socket');
  return link.ws;
}

async function openSupervised(url: string, topic: string): Promise<BybitPath> {
  const sink: Sink = { count: 0, target: Infinity, onTarget: undefined };
  const connection = new SupervisedConnection({
    name: 'bench-bybit',
    url,
    venue: new BybitAdapter({ market: 'linear' }),
    logger: silentLogger(),
  });
  const subscription = connection.channel$<{ topic?: unknown }>(topic).subscribe((message) => consume(sink, message));
  connection.start();
  await connection.whenReady(5_000);
  while (connection.stats().sessionSubscriptions < 1) await new Promise((r) => setTimeout(r, 5));
  return {
    name: 'supervised',
    sink,
    socket: () => supervisedSocket(connection),
    close: async () => {
      subscription.unsubscribe();
      await connection.close();
    },
  };
}

const OPENERS: Record<BybitPathName, (url: string, topic: string) => Promise<BybitPath>> = {
  'raw-ws': openRaw,
  supervised: openSupervised,
};

function reach(sink: Sink, target: number, timeoutMs: number): Promise<void> {
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

export interface BybitStreamResult {
  topic: string;
  /** Median CPU/message over rounds, µs: loopback backlog runs. */
  backlog: { raw: number; supervised: number; ratio: number; rounds: Array<{ raw: number; supervised: number }> };
  /** Median CPU/frame over rounds, ns: in-process frame path. */
  frames: { raw: number; supervised: number; ratio: number; rounds: Array<{ raw: number; supervised: number }> };
}

export interface BybitStreamOptions {
  topic: string;
  /** Backlog rounds (each runs both paths, order alternating). */
  repeats: number;
  messages: number;
  /** Frame-path rounds and frames per run. */
  frameRounds?: number;
  frames?: number;
  log?: (line: string) => void;
}

/**
 * Drains one queued batch on `path`: the exchange sent it while the socket was paused; reading
 * resumes, the consumer takes `messages`, reading pauses again. CPU of this process per message.
 */
async function drain(path: BybitPath, messages: number): Promise<number> {
  const socket = path.socket();
  const target = path.sink.count + messages;
  collectGarbage();
  const cpu0 = process.cpuUsage();
  socket.resume();
  await reach(path.sink, target, 120_000);
  const cpu = process.cpuUsage(cpu0);
  socket.pause();
  return (cpu.user + cpu.system) / messages;
}

/** `count` frames of `topic` exactly as the exchange sends them (text frames as ws hands them over). */
async function recordFrames(remote: RemoteBybit, topic: string, count: number): Promise<Buffer[]> {
  const ws = new WebSocket(remote.urls.linear);
  const frames: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const done = new Promise<void>((resolve) => {
    ws.on('message', (raw: Buffer) => {
      // Deltas only: the steady state of a stream (a snapshot comes once per subscription).
      if (raw.includes(`"topic":"${topic}"`) && raw.includes('"delta"')) frames.push(Buffer.from(raw));
      if (frames.length === count) resolve();
    });
  });
  ws.send(JSON.stringify({ req_id: '1', op: 'subscribe', args: [topic] }));
  await remote.burst(topic, count + 10, 500);
  await done;
  await new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.terminate();
  });
  return frames;
}

const FRAMES_PER_READ = 100;

/**
 * Emits `total` recorded frames on the path's socket, FRAMES_PER_READ per turn. The book path
 * checks continuity, so the recorded deltas are replayed with `u` rewritten to keep chaining:
 * every emitted frame is a valid next delta, as on a live stream.
 */
async function feed(path: BybitPath, frames: readonly Buffer[], total: number): Promise<number> {
  const socket = path.socket();
  const expected = path.sink.count + total;
  collectGarbage();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < total; i += 1) {
    socket.emit('message', frames[i % frames.length], false);
    if (i % FRAMES_PER_READ === FRAMES_PER_READ - 1) await nextTurn();
  }
  await nextTurn();
  const cpu = process.cpuUsage(cpu0);
  if (path.sink.count !== expected) throw new Error(`${path.name}: delivered ${path.sink.count}, expected ${expected}`);
  return ((cpu.user + cpu.system) * 1_000) / total;
}

export async function measureBybitStream(remote: RemoteBybit, options: BybitStreamOptions): Promise<BybitStreamResult> {
  const { topic } = options;
  const names: BybitPathName[] = ['raw-ws', 'supervised'];
  // Both paths subscribed at once and paused: each batch the exchange queues reaches both, then
  // each drains it in turn (order alternating), so every pair of runs reads the same messages
  // under the same machine load.
  const both = await Promise.all(names.map((name) => OPENERS[name](remote.urls.linear, topic)));
  const backlogRounds: Array<{ raw: number; supervised: number }> = [];
  try {
    for (const path of both) path.socket().pause();
    const batch = async (messages: number, order: BybitPath[]) => {
      await remote.burst(topic, messages, 1_000);
      const result = { raw: 0, supervised: 0 };
      for (const path of order) {
        const cpu = await drain(path, messages);
        if (path.name === 'raw-ws') result.raw = cpu;
        else result.supervised = cpu;
      }
      return result;
    };
    await batch(5_000, both); // warm-up: JIT and buffers
    for (let round = 0; round < options.repeats; round += 1) {
      const result = await batch(options.messages, round % 2 === 0 ? both : [...both].reverse());
      backlogRounds.push(result);
      options.log?.(
        `  bybit ${topic} backlog round ${round + 1}: raw ${result.raw.toFixed(2)} µs, supervised ${result.supervised.toFixed(2)} µs (${(result.supervised / result.raw).toFixed(3)}×)`,
      );
    }
  } finally {
    await Promise.all(both.map((p) => p.close()));
  }

  // Frame path: the consumer never sees a book frame out of order, so only non-book topics replay
  // recorded frames as they are; a book topic would need its u chain (see feed()).
  const frameTopic = topic.startsWith('orderbook.') ? topic.replace(/^orderbook\.\d+\./, 'tickers.') : topic;
  const recorded = await recordFrames(remote, frameTopic, 1_000);
  const opened = await Promise.all(names.map((name) => OPENERS[name](remote.urls.linear, frameTopic)));
  const frameRounds: Array<{ raw: number; supervised: number }> = [];
  try {
    const total = options.frames ?? 40_000;
    for (const path of opened) await feed(path, recorded, 100_000); // warm-up
    for (let round = 0; round < (options.frameRounds ?? 25); round += 1) {
      const result = { raw: 0, supervised: 0 };
      for (let i = 0; i < opened.length; i += 1) {
        const path = opened[(i + round) % opened.length] as BybitPath;
        const ns = await feed(path, recorded, total);
        if (path.name === 'raw-ws') result.raw = ns;
        else result.supervised = ns;
      }
      frameRounds.push(result);
    }
  } finally {
    await Promise.all(opened.map((p) => p.close()));
  }
  options.log?.(
    `  bybit ${frameTopic} frame path: raw ${median(frameRounds.map((r) => r.raw)).toFixed(0)} ns, supervised ${median(frameRounds.map((r) => r.supervised)).toFixed(0)} ns`,
  );
  return {
    topic,
    backlog: {
      raw: median(backlogRounds.map((r) => r.raw)),
      supervised: median(backlogRounds.map((r) => r.supervised)),
      ratio: median(backlogRounds.map((r) => r.supervised / r.raw)),
      rounds: backlogRounds,
    },
    frames: {
      raw: median(frameRounds.map((r) => r.raw)),
      supervised: median(frameRounds.map((r) => r.supervised)),
      ratio: median(frameRounds.map((r) => r.supervised / r.raw)),
      rounds: frameRounds,
    },
  };
}

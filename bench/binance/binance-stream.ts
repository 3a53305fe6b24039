/**
 * The Binance row: one spot stream (`btcusdt@trade`) consumed two ways, interleaved — a raw `ws`
 * client on the combined path doing `JSON.parse` per frame and a stream check (the floor), and a
 * supervised `channel$` consumer over the BinanceAdapter (its frames paced, its pongs through the
 * limiter) — as the Bybit row does: the exchange in a child process, both consumers subscribed and
 * paused, the exchange queues a batch to both, then each reads its copy in turn (order alternating
 * per round); CPU/message of this process over each drain. The ratio is the median of per-round
 * (supervised ÷ raw).
 */
import { BinanceAdapter, SupervisedConnection, type ExchangeClient } from '@exchange-connection/core';
import WebSocket from 'ws';
import { collectGarbage } from '../support/gc.js';
import { silentLogger } from '../support/silent-logger.js';
import { median } from '../support/stats.js';
import type { RemoteBinance } from './remote-binance.js';

type PathName = 'raw-ws' | 'supervised';

interface Sink {
  count: number;
  target: number;
  onTarget: (() => void) | undefined;
}

interface Path {
  readonly name: PathName;
  readonly sink: Sink;
  socket(): WebSocket;
  close(): Promise<void>;
}

/** What both paths do with a message: look at it (as a consumer would) and count it. */
function consume(sink: Sink, event: { e?: unknown }): void {
  if (event.e === undefined) return;
  sink.count += 1;
  if (sink.count === sink.target) sink.onTarget?.();
}

async function openRaw(url: string, stream: string): Promise<Path> {
  const sink: Sink = { count: 0, target: Infinity, onTarget: undefined };
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const subscribed = new Promise<void>((resolve) => {
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as { stream?: string; data?: { e?: unknown }; id?: number };
      if (frame.stream === stream && frame.data !== undefined) consume(sink, frame.data);
      else if (frame.id === 1) resolve();
    });
  });
  ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: [stream], id: 1 }));
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

async function openSupervised(url: string, stream: string, restUrl: string): Promise<Path> {
  const sink: Sink = { count: 0, target: Infinity, onTarget: undefined };
  const connection = new SupervisedConnection({
    name: 'bench-binance',
    url,
    venue: new BinanceAdapter({ market: 'spot', restUrl }),
    logger: silentLogger(),
  });
  const subscription = connection.channel$<{ e?: unknown }>(stream).subscribe((event) => consume(sink, event));
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

async function drain(path: Path, messages: number): Promise<number> {
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

export interface BinanceStreamResult {
  stream: string;
  /** Median CPU/message over rounds, µs. */
  raw: number;
  supervised: number;
  ratio: number;
  rounds: Array<{ raw: number; supervised: number }>;
}

export async function measureBinanceStream(
  remote: RemoteBinance,
  options: { stream?: string; repeats: number; messages: number; log?: (line: string) => void },
): Promise<BinanceStreamResult> {
  const stream = options.stream ?? 'btcusdt@trade';
  const both = [
    await openRaw(remote.urls.spotCombined, stream),
    await openSupervised(remote.urls.spotCombined, stream, remote.urls.rest),
  ];
  const rounds: Array<{ raw: number; supervised: number }> = [];
  try {
    for (const path of both) path.socket().pause();
    const batch = async (messages: number, order: Path[]) => {
      await remote.send({ op: 'burst', stream, total: messages, burst: 1_000 });
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
      rounds.push(result);
      options.log?.(
        `  binance ${stream} backlog round ${round + 1}: raw ${result.raw.toFixed(2)} µs, supervised ${result.supervised.toFixed(2)} µs (${(result.supervised / result.raw).toFixed(3)}×)`,
      );
    }
  } finally {
    await Promise.all(both.map((p) => p.close()));
  }
  return {
    stream,
    raw: median(rounds.map((r) => r.raw)),
    supervised: median(rounds.map((r) => r.supervised)),
    ratio: median(rounds.map((r) => r.supervised / r.raw)),
    rounds,
  };
}

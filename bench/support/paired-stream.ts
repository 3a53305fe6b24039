/**
 * A venue row's stream measurement: one stream consumed two ways, interleaved — a raw `ws` client
 * doing `JSON.parse` per frame and the venue's own check (the floor), and a supervised `channel$`
 * consumer over the venue's adapter — with the exchange in a child process (`RemoteVenue`):
 * - **backlog**: both consumers subscribed and paused, the exchange queues a batch to both, then
 *   each reads its copy in turn (order alternating per round); CPU/message of this process over
 *   each drain;
 * - **frame path** (as frame-path.ts): recorded frames emitted on each path's own socket, no
 *   network, so only the library's work differs between the paths; order rotating per round.
 * Ratios are the median of per-round (supervised ÷ raw). A venue supplies a `StreamVenue`.
 */
import type { SupervisedConnection } from '@exchange-connection/core';
import { median } from './stats.js';
import { collectYoungGarbage } from './gc.js';
import { emitFrames, openRawPath, openSupervisedPath, reach, type ConsumerPath, type Sink } from './consumer-paths.js';
import type { RemoteVenue } from './venue-host.js';

/** What a venue supplies: where its stream is, how the raw client subscribes and reads, its adapter. */
export interface StreamVenue<U, M> {
  /** Prefix of the log lines ("bybit"). */
  label: string;
  /** The URL both consumers connect to. */
  url(urls: U): string;
  /** The raw client's subscribe request for `stream` (sent as JSON). */
  subscribeFrame(stream: string): unknown;
  /**
   * The raw client's frame listener: `JSON.parse`, and a message of `stream` goes to `consume`;
   * calls `subscribed` on the subscribe acknowledgement.
   */
  rawListener(stream: string, sink: Sink, subscribed: () => void): (raw: Buffer) => void;
  /** A supervised connection over the venue's adapter (not started). */
  connection(urls: U): SupervisedConnection;
  /** What both paths do with a message: look at it (as a consumer would) and count it. */
  consume(sink: Sink, message: M): void;
}

export type PathName = 'raw-ws' | 'supervised';

export interface PairedPath extends ConsumerPath<PathName> {
  readonly sink: Sink;
}

/** Medians over rounds, and the rounds: µs per message (backlog) or ns per frame (frame path). */
export interface PairedResult {
  raw: number;
  supervised: number;
  ratio: number;
  rounds: Array<{ raw: number; supervised: number }>;
}

const newSink = (): Sink => ({ count: 0, target: Infinity, onTarget: undefined });

async function openRaw<U, M>(venue: StreamVenue<U, M>, urls: U, stream: string): Promise<PairedPath> {
  const sink = newSink();
  const path = await openRawPath(venue.url(urls), venue.subscribeFrame(stream), (subscribed) =>
    venue.rawListener(stream, sink, subscribed),
  );
  return { ...path, sink };
}

async function openSupervised<U, M>(venue: StreamVenue<U, M>, urls: U, stream: string): Promise<PairedPath> {
  const sink = newSink();
  const connection = venue.connection(urls);
  const consume = venue.consume;
  const subscription = connection.channel$<M>(stream).subscribe((message) => consume(sink, message));
  const path = await openSupervisedPath(connection, subscription);
  return { ...path, sink };
}

/** One path subscribed to `stream`, with its sink. */
export function openPath<U, M>(venue: StreamVenue<U, M>, urls: U, stream: string, name: PathName): Promise<PairedPath> {
  return name === 'raw-ws' ? openRaw(venue, urls, stream) : openSupervised(venue, urls, stream);
}

/** Both paths subscribed to `stream`, opened side by side. */
function openBoth<U, M>(venue: StreamVenue<U, M>, urls: U, stream: string): Promise<PairedPath[]> {
  return Promise.all([openRaw(venue, urls, stream), openSupervised(venue, urls, stream)]);
}

function summarize(rounds: Array<{ raw: number; supervised: number }>): PairedResult {
  return {
    raw: median(rounds.map((r) => r.raw)),
    supervised: median(rounds.map((r) => r.supervised)),
    ratio: median(rounds.map((r) => r.supervised / r.raw)),
    rounds,
  };
}

/**
 * Drains one queued batch on `path`: the exchange sent it while the socket was paused; reading
 * resumes, the consumer takes `messages`, reading pauses again. CPU of this process per message.
 */
async function drain(path: PairedPath, messages: number): Promise<number> {
  const socket = path.socket();
  const target = path.sink.count + messages;
  collectYoungGarbage();
  const cpu0 = process.cpuUsage();
  socket.resume();
  await reach(path.sink, target, 120_000);
  const cpu = process.cpuUsage(cpu0);
  socket.pause();
  return (cpu.user + cpu.system) / messages;
}

export async function measureBacklog<U, M>(
  venue: StreamVenue<U, M>,
  remote: RemoteVenue<U>,
  stream: string,
  options: { repeats: number; messages: number; log?: (line: string) => void },
): Promise<PairedResult> {
  // Both paths subscribed at once and paused: each batch the exchange queues reaches both, then
  // each drains it in turn (order alternating), so every pair of runs reads the same messages
  // under the same machine load.
  const both = await openBoth(venue, remote.urls, stream);
  const rounds: Array<{ raw: number; supervised: number }> = [];
  try {
    for (const path of both) path.socket().pause();
    const batch = async (messages: number, order: PairedPath[]) => {
      await remote.burst(stream, messages, 1_000);
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
        `  ${venue.label} ${stream} backlog round ${round + 1}: raw ${result.raw.toFixed(2)} µs, supervised ${result.supervised.toFixed(2)} µs (${(result.supervised / result.raw).toFixed(3)}×)`,
      );
    }
  } finally {
    await Promise.all(both.map((p) => p.close()));
  }
  return summarize(rounds);
}

/** The frame path over `recorded` frames of `stream`: 100,000 frames of warm-up per path, then `rounds` of `frames`. */
export async function measureFrames<U, M>(
  venue: StreamVenue<U, M>,
  urls: U,
  stream: string,
  recorded: readonly Buffer[],
  options: { frames: number; rounds: number; log?: (line: string) => void },
): Promise<PairedResult> {
  const opened = await openBoth(venue, urls, stream);
  const rounds: Array<{ raw: number; supervised: number }> = [];
  try {
    const feed = async (path: PairedPath, total: number) => (await emitFrames(path, path.sink, recorded, total)).cpuNs / total;
    for (const path of opened) await feed(path, 100_000); // warm-up
    for (let round = 0; round < options.rounds; round += 1) {
      const result = { raw: 0, supervised: 0 };
      for (let i = 0; i < opened.length; i += 1) {
        const path = opened[(i + round) % opened.length] as PairedPath;
        const ns = await feed(path, options.frames);
        if (path.name === 'raw-ws') result.raw = ns;
        else result.supervised = ns;
      }
      rounds.push(result);
    }
  } finally {
    await Promise.all(opened.map((p) => p.close()));
  }
  options.log?.(
    `  ${venue.label} ${stream} frame path: raw ${median(rounds.map((r) => r.raw)).toFixed(0)} ns, supervised ${median(rounds.map((r) => r.supervised)).toFixed(0)} ns`,
  );
  return summarize(rounds);
}

import {
  DeribitAdapter,
  type ExchangeConnectionError,
  type RoutedNotification,
  type SequenceInfo,
  type SupervisedConnection,
  type VenueAdapter,
  type VenueMessage,
  type VenueRpc,
  type VenueSession,
  type VenueSessionOptions,
} from '@exchange-connection/core';
import { RpcTestClient, type TestExchange } from '@exchange-connection/testkit';

/** The notification the test exchange sends (`notifyAll`) to announce a socket's end. */
export const SHUTDOWN_NOTICE = 'test/server_shutdown';

/**
 * The Deribit adapter plus a venue shutdown notice (Deribit has none; Binance's is
 * `serverShutdown`): a session routes `SHUTDOWN_NOTICE` as `{ kind: 'rotate' }`. Everything else
 * is the real adapter's.
 */
export class NoticeDeribitAdapter implements VenueAdapter {
  readonly venue = 'deribit';
  private readonly inner = new DeribitAdapter({});
  readonly frameLimits = this.inner.frameLimits;

  createSession(rpc: VenueRpc, options: VenueSessionOptions, onFatal: (error: ExchangeConnectionError) => void): VenueSession {
    const inner = this.inner.createSession(rpc, options, onFatal);
    const notice: RoutedNotification = { kind: 'rotate', reason: 'server shutdown' };
    return {
      restore: (onStep) => inner.restore(onStep),
      subscribe: (channels) => inner.subscribe(channels),
      unsubscribe: (channels) => inner.unsubscribe(channels),
      route: (message: VenueMessage) => (message.method === SHUTDOWN_NOTICE ? notice : inner.route(message)),
      beforeClose: () => inner.beforeClose(),
      dispose: () => inner.dispose(),
    };
  }

  isPrivateChannel(channel: string): boolean {
    return this.inner.isPrivateChannel(channel);
  }

  sequenceOf(channel: string, data: unknown): SequenceInfo | undefined {
    return this.inner.sequenceOf(channel, data);
  }

  isSequencedChannel(channel: string): boolean {
    return this.inner.isSequencedChannel(channel);
  }

  overlapKey(channel: string, data: unknown): number | undefined {
    return this.inner.overlapKey(channel, data);
  }

  createCodec() {
    return this.inner.createCodec();
  }

  isFatal(error: ExchangeConnectionError): boolean {
    return this.inner.isFatal(error);
  }
}

interface Ticker {
  timestamp: number;
}
interface Trade {
  trade_seq: number;
}
interface Book {
  type: 'snapshot' | 'change';
  change_id: number;
  prev_change_id?: number;
}

/**
 * What consumers of one connection saw, per channel kind, checked against a reference: a plain
 * client on the same exchange that is never rotated and so sees every message once.
 */
export class RotationLog {
  readonly tickers: number[] = [];
  readonly trades: number[] = [];
  readonly books: Book[] = [];
  readonly errors: string[] = [];
  private readonly subscriptions: Array<{ unsubscribe(): void }> = [];

  constructor(
    connection: Pick<SupervisedConnection, 'channel$'>,
    readonly channels: { ticker: string; trades: string; book: string; extra?: string[] },
  ) {
    const fail = (channel: string) => (error: unknown) => this.errors.push(`${channel}: ${String(error)}`);
    const done = (channel: string) => () => this.errors.push(`${channel}: completed`);
    this.subscriptions.push(
      connection.channel$<Ticker>(channels.ticker).subscribe({
        next: (t) => this.tickers.push(t.timestamp),
        error: fail(channels.ticker),
        complete: done(channels.ticker),
      }),
      connection.channel$<Trade[]>(channels.trades).subscribe({
        next: (batch) => this.trades.push(...batch.map((t) => t.trade_seq)),
        error: fail(channels.trades),
        complete: done(channels.trades),
      }),
      connection.channel$<Book>(channels.book).subscribe({
        next: (b) => this.books.push({ type: b.type, change_id: b.change_id, prev_change_id: b.prev_change_id }),
        error: fail(channels.book),
        complete: done(channels.book),
      }),
      ...(channels.extra ?? []).map((channel) =>
        connection.channel$(channel).subscribe({ error: fail(channel), complete: done(channel) }),
      ),
    );
  }

  /** Stops observing (before close, so a completed stream is not counted as an error). */
  stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }
}

/** A never-rotated reference reader of the same channels. */
export async function referenceReader(exchange: TestExchange, channels: string[]): Promise<RpcTestClient> {
  const reference = await RpcTestClient.connect(exchange.url);
  await reference.call('public/subscribe', { channels });
  return reference;
}

/** Repeats in a list of keys (each value seen more than once). */
export function repeats(values: readonly number[]): number[] {
  const seen = new Set<number>();
  const twice: number[] = [];
  for (const v of values) {
    if (seen.has(v)) twice.push(v);
    seen.add(v);
  }
  return twice;
}

/** Values of `reference` within [first, last] of `seen` that `seen` lacks. */
export function missing(seen: readonly number[], reference: readonly number[]): number[] {
  if (seen.length === 0) return [];
  const first = seen[0] as number;
  const last = seen[seen.length - 1] as number;
  const have = new Set(seen);
  return reference.filter((v) => v >= first && v <= last && !have.has(v));
}

/** Trade sequence numbers skipped between the first and last seen (they rise by one per trade). */
export function tradeHoles(seqs: readonly number[]): number[] {
  const holes: number[] = [];
  for (let i = 1; i < seqs.length; i += 1) {
    const prev = seqs[i - 1] as number;
    const cur = seqs[i] as number;
    for (let s = prev + 1; s < cur; s += 1) holes.push(s);
  }
  return holes;
}

/** Book messages that do not chain to the one before (a snapshot starts a chain afresh). */
export function brokenChain(books: readonly Book[]): Book[] {
  const broken: Book[] = [];
  for (let i = 1; i < books.length; i += 1) {
    const b = books[i] as Book;
    if (b.type === 'change' && b.prev_change_id !== (books[i - 1] as Book).change_id) broken.push(b);
  }
  return broken;
}

import type { ClientLogger } from '../../client/client-types.js';
import type { Clock } from '../../client/clock.js';
import { ExchangeConnectionError, isExchangeConnectionError } from '../../client/errors.js';
import type { VenueMessage } from '../../client/venue-codec.js';
import { cleanVenueText } from '../../client/venue-text.js';
import { retryIdempotent, type RetryBackOffOptions } from '../idempotent-retry.js';
import { type RequestedPause } from '../requested-pause.js';
import type { RestoreStep, RoutedNotification, VenueRpc, VenueSession } from '../venue-adapter.js';
import { signBinanceParams, type BinanceApiKey } from './binance-auth.js';
import { BinanceBookSync, type BinanceBookFlavour } from './binance-book.js';
import { binanceErrorClass, isBinanceRepeatable, isBinanceRetryable, mapBinanceError } from './binance-errors.js';
import { fetchBinanceDepth, type BinanceFetch } from './binance-rest.js';
import {
  BINANCE_USER_DATA_CHANNEL,
  binanceStreamProblem,
  binanceSymbolOf,
  isBinanceDiffDepth,
  type BinanceMarket,
} from './binance-streams.js';

/** Adapter-wide settings a session runs with (resolved defaults). */
export interface BinanceSessionConfig {
  market: BinanceMarket;
  maxStreamsPerRequest: number;
  maxRequestsInFlight: number;
  restUrl: string;
  depthSnapshotLimit: number;
  maxBufferedEvents: number;
  restTimeoutMs: number;
  recvWindowMs: number;
  backOff: Required<RetryBackOffOptions>;
  fetch: BinanceFetch;
  clock: Clock;
  logger?: ClientLogger;
  /** The adapter's: REST snapshots and WebSocket API requests wait out a pause Binance asked for. */
  requestPause: RequestedPause;
}

/** Snapshots fetched again for one book before the session gives up on it (and is rebuilt). */
const MAX_REFETCHES = 10;

const UNKNOWN: RoutedNotification = Object.freeze({ kind: 'unknown' });
const HANDLED: RoutedNotification = Object.freeze({ kind: 'handled' });
const SERVER_SHUTDOWN: RoutedNotification = Object.freeze({ kind: 'rotate', reason: 'serverShutdown' });

/** A routed data message, reused for every frame of a session (the contract allows it). */
interface RoutedData {
  kind: 'data';
  channel: string;
  data: unknown;
}

function codeOf(error: unknown): string {
  return isExchangeConnectionError(error) ? error.code : 'UNKNOWN';
}

function isServerShutdown(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { e?: unknown }).e === 'serverShutdown';
}

/**
 * One Binance market-stream socket (spot, or a USDⓈ-M routed path): live SUBSCRIBE/UNSUBSCRIBE in
 * batches, the diff depth books stitched to REST snapshots, `serverShutdown` reported as a rotation
 * notice. The server pings; the client answers (through its rate limiter). No auth: market streams
 * are public.
 */
export class BinanceStreamSession implements VenueSession {
  readonly #abort = new AbortController();
  readonly #books = new Map<string, BinanceBookSync>();
  readonly #routed: RoutedData = { kind: 'data', channel: '', data: undefined };
  readonly #flavour: BinanceBookFlavour;
  /** Snapshots fetched again per book sync because the last one could not be stitched. */
  readonly #refetches = new WeakMap<BinanceBookSync, number>();
  #snapshotsFetched = 0;

  constructor(
    private readonly rpc: VenueRpc,
    private readonly onFatal: (error: ExchangeConnectionError) => void,
    private readonly config: BinanceSessionConfig,
  ) {
    this.#flavour = config.market === 'spot' ? 'spot' : 'futures';
  }

  /** REST depth snapshots fetched on this socket. */
  get snapshotsFetched(): number {
    return this.#snapshotsFetched;
  }

  /** Nothing to restore before subscribing: market streams need no auth, and the server pings. */
  async restore(_onStep?: (step: RestoreStep) => void): Promise<void> {
    this.#assertLive();
  }

  /**
   * SUBSCRIBE in requests of at most `maxStreamsPerRequest` streams, `maxRequestsInFlight` awaiting
   * their answer (the client's rate limiter paces the frames). A refused request is split in
   * halves until the refused streams are found, so one bad name costs a few requests, not one
   * request per stream. Returns the streams now subscribed.
   */
  async subscribe(channels: readonly string[]): Promise<string[]> {
    this.#assertLive();
    const wanted = this.#sendable(channels);
    for (const stream of wanted) {
      // Buffer from the first event on: the snapshot is fetched once the stream is live.
      if (isBinanceDiffDepth(stream)) {
        this.#books.set(stream, new BinanceBookSync(binanceSymbolOf(stream), this.#flavour, this.config.maxBufferedEvents));
      }
    }
    const accepted: string[] = [];
    await this.#eachRequest(wanted, async (batch) => {
      const taken = await this.#subscribeBatch(batch);
      accepted.push(...taken);
      for (const stream of taken) this.#startSnapshot(stream);
    });
    const acceptedSet = new Set(accepted);
    for (const stream of wanted) if (!acceptedSet.has(stream)) this.#books.delete(stream);
    return accepted;
  }

  /** A refused unsubscribe means the stream is not subscribed: it counts as removed. */
  async unsubscribe(channels: readonly string[]): Promise<string[]> {
    this.#assertLive();
    for (const stream of channels) this.#books.delete(stream);
    const removed: string[] = [];
    await this.#eachRequest(this.#sendable(channels), async (args) => {
      try {
        await this.#call('UNSUBSCRIBE', args);
      } catch (error) {
        if (binanceErrorClass(error) !== 'reject') throw error;
      }
      removed.push(...args);
    });
    return removed;
  }

  /**
   * Combined-stream messages `{stream, data}`: the channel is the stream, the data its payload. A
   * diff depth stream goes through its book sync (held until stitched). `serverShutdown` is a
   * rotation notice.
   */
  route(message: VenueMessage): RoutedNotification {
    const stream = message.stream;
    if (typeof stream !== 'string') return isServerShutdown(message) ? SERVER_SHUTDOWN : UNKNOWN;
    // Per frame: the book lookup only when this socket carries a book at all. What is not on the
    // per-frame path lives in its own methods, so V8 still inlines this one into the supervisor's.
    const book = this.#books.size === 0 ? undefined : this.#books.get(stream);
    if (book !== undefined) return this.#routeBook(stream, book, message.data);
    // A combined stream carries the notice on its own stream name; the payload is not looked into.
    if (stream === '!serverShutdown') return SERVER_SHUTDOWN;
    // One object reused, not a fresh one per frame: a fresh one counts fewer instructions (no
    // write barriers), yet backlog runs measured ~4 % slower with it.
    const routed = this.#routed;
    routed.channel = stream;
    routed.data = message.data;
    return routed;
  }

  /** One diff event through its book's sync: held, delivered once stitched, or a new snapshot. */
  #routeBook(stream: string, book: BinanceBookSync, data: unknown): RoutedNotification {
    const step = book.onEvent(data);
    if (step.kind === 'held') return HANDLED;
    if (step.kind === 'refetch') {
      this.#refetch(stream, book, step.reason);
      return HANDLED;
    }
    const routed = this.#routed;
    routed.channel = stream;
    routed.data = step.message;
    return routed;
  }

  /**
   * A REST endpoint that keeps lagging the stream would otherwise be asked again at the stream's
   * pace for ever: past the bound the session is rebuilt, like a failed subscribe.
   */
  #refetch(stream: string, book: BinanceBookSync, reason: string): void {
    const refetches = (this.#refetches.get(book) ?? 0) + 1;
    this.#refetches.set(book, refetches);
    if (refetches > MAX_REFETCHES) {
      this.#books.delete(stream);
      this.onFatal(
        new ExchangeConnectionError(
          'VENUE_ERROR',
          `Binance book ${cleanVenueText(stream, 100)}: no REST snapshot could be stitched to the stream after ${MAX_REFETCHES} tries`,
        ),
      );
      return;
    }
    this.config.logger?.warn('Binance book snapshot could not be stitched; fetching another', { stream, reason });
    this.#startSnapshot(stream);
  }

  dispose(): void {
    this.#abort.abort();
    this.#books.clear();
  }

  async #subscribeBatch(batch: string[]): Promise<string[]> {
    try {
      await this.#call('SUBSCRIBE', batch);
      return batch;
    } catch (error) {
      if (binanceErrorClass(error) !== 'reject') throw error;
      if (batch.length === 1) {
        this.config.logger?.warn('Binance refused a stream', { stream: batch[0], code: codeOf(error) });
        return [];
      }
      const half = Math.ceil(batch.length / 2);
      return [...(await this.#subscribeBatch(batch.slice(0, half))), ...(await this.#subscribeBatch(batch.slice(half)))];
    }
  }

  /** Fetches the stream's REST snapshot for its book sync; a snapshot that cannot be had ends the session. */
  #startSnapshot(stream: string): void {
    const book = this.#books.get(stream);
    if (book === undefined || book.live) return;
    const signal = this.#abort.signal;
    const fetchOnce = (): Promise<void> =>
      this.config.requestPause
        .run(
          () =>
            fetchBinanceDepth(
              this.config.fetch,
              this.config.restUrl,
              this.#flavour,
              book.symbol,
              this.config.depthSnapshotLimit,
              signal,
              this.config.restTimeoutMs,
            ),
          signal,
          'Binance session',
          this.config.logger,
        )
        .then((snapshot) => {
          this.#snapshotsFetched += 1;
          // The stream may have been unsubscribed (or resubscribed: a new sync) meanwhile.
          if (this.#books.get(stream) === book) book.setSnapshot(snapshot);
        });
    retryIdempotent(fetchOnce, isBinanceRetryable, this.config.clock, this.config.backOff, signal, 'Binance session').catch(
      (error: unknown) => {
        if (signal.aborted || this.#books.get(stream) !== book) return;
        this.config.logger?.warn('Binance depth snapshot failed; rebuilding the session', { stream, code: codeOf(error) });
        this.onFatal(
          isExchangeConnectionError(error)
            ? error
            : new ExchangeConnectionError('VENUE_ERROR', 'Binance depth snapshot failed', { cause: error }),
        );
      },
    );
  }

  /** Streams this socket may carry; the rest are refused here, without a request (left out of the result). */
  #sendable(channels: readonly string[]): string[] {
    const sendable: string[] = [];
    for (const channel of new Set(channels)) {
      const problem = binanceStreamProblem(channel, this.config.market);
      if (problem === undefined) sendable.push(channel);
      else this.config.logger?.warn(`Binance stream not sent: ${problem}`, { stream: cleanVenueText(channel, 100) });
    }
    return sendable;
  }

  /** Runs the batches with at most `maxRequestsInFlight` awaiting their answer. */
  async #eachRequest(streams: readonly string[], run: (batch: string[]) => Promise<void>): Promise<void> {
    const size = this.config.maxStreamsPerRequest;
    const batches: string[][] = [];
    for (let i = 0; i < streams.length; i += size) batches.push(streams.slice(i, i + size));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++];
        if (batch !== undefined) await run(batch);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.maxRequestsInFlight, batches.length) }, worker));
  }

  /** Idempotent requests only (SUBSCRIBE, UNSUBSCRIBE): retried on a rate limit or a venue hiccup. */
  #call(method: string, args: string[]): Promise<unknown> {
    return retryIdempotent(
      () => {
        this.#assertLive();
        return this.rpc.request(method, { args });
      },
      isBinanceRepeatable,
      this.config.clock,
      this.config.backOff,
      this.#abort.signal,
      'Binance session',
    );
  }

  #assertLive(): void {
    if (this.#abort.signal.aborted) throw new ExchangeConnectionError('NOT_CONNECTED', 'Binance session was disposed');
  }
}

/** What the WebSocket API's `userDataStream.subscribe.signature` answers. */
interface SubscribeResult {
  subscriptionId?: unknown;
}

/**
 * Spot user data over the WebSocket API (listenKeys were turned off on spot in 2026-02): the
 * `userData` channel is a `userDataStream.subscribe.signature` request, signed afresh for every
 * attempt (so every rebuild restores it with a new signature). Its events `{subscriptionId, event}`
 * reach `channel$('userData')` as the event itself. An `eventStreamTerminated` for a live
 * subscription subscribes again at once (a refused key then opens the circuit); a revoked
 * session's unsolicited error (`id: null`, -2015) ends the session as fatal.
 */
export class BinanceUserDataSession implements VenueSession {
  readonly #abort = new AbortController();
  readonly #routed: RoutedData = { kind: 'data', channel: BINANCE_USER_DATA_CHANNEL, data: undefined };
  #subscriptionId: number | undefined;
  /** Whether consumers want user data on this socket (set by subscribe, cleared by unsubscribe). */
  #wanted = false;
  #resubscribes = 0;

  constructor(
    private readonly rpc: VenueRpc,
    private readonly credentials: BinanceApiKey | undefined,
    private readonly onFatal: (error: ExchangeConnectionError) => void,
    private readonly config: BinanceSessionConfig,
  ) {}

  /** The venue's id of this socket's user data subscription, while there is one. */
  get subscriptionId(): number | undefined {
    return this.#subscriptionId;
  }

  /** Subscriptions made again after the venue ended one (`eventStreamTerminated`). */
  get resubscribes(): number {
    return this.#resubscribes;
  }

  async restore(_onStep?: (step: RestoreStep) => void): Promise<void> {
    this.#assertLive();
  }

  async subscribe(channels: readonly string[]): Promise<string[]> {
    this.#assertLive();
    if (!channels.includes(BINANCE_USER_DATA_CHANNEL)) return [];
    if (this.credentials === undefined) {
      this.config.logger?.warn('Binance user data needs credentials; channel refused');
      return [];
    }
    this.#wanted = true;
    if (this.#subscriptionId === undefined) await this.#subscribeSigned();
    return [BINANCE_USER_DATA_CHANNEL];
  }

  async unsubscribe(channels: readonly string[]): Promise<string[]> {
    this.#assertLive();
    if (!channels.includes(BINANCE_USER_DATA_CHANNEL)) return [];
    this.#wanted = false;
    const subscriptionId = this.#subscriptionId;
    this.#subscriptionId = undefined;
    if (subscriptionId !== undefined) {
      await this.rpc.request('userDataStream.unsubscribe', { subscriptionId }).catch((error: unknown) => {
        if (binanceErrorClass(error) !== 'reject') throw error;
      });
    }
    return [BINANCE_USER_DATA_CHANNEL];
  }

  route(message: VenueMessage): RoutedNotification {
    const event = message.event;
    if (typeof message.subscriptionId === 'number') {
      if (message.subscriptionId !== this.#subscriptionId) return HANDLED;
      // Every user data event is an object naming its type (`{e, E, ...}`); anything else is junk
      // and must not reach a consumer (the supervisor counts it as unrouted).
      const type = typeof event === 'object' && event !== null ? (event as { e?: unknown }).e : undefined;
      if (typeof type !== 'string') return UNKNOWN;
      if (type === 'eventStreamTerminated') {
        this.#onTerminated();
        return HANDLED;
      }
      const routed = this.#routed;
      routed.data = event;
      return routed;
    }
    if (isServerShutdown(event)) return SERVER_SHUTDOWN;
    const error = message.error;
    if (typeof error === 'object' && error !== null) {
      // An error answering nobody: the venue revoked this session (docs: id null, 401, -2015).
      const { code, msg } = error as { code?: unknown; msg?: unknown };
      this.#reportFatal(
        mapBinanceError({
          code: typeof code === 'number' ? code : undefined,
          message: cleanVenueText(typeof msg === 'string' ? msg : ''),
          method: 'session',
          status: typeof message.status === 'number' ? message.status : undefined,
        }),
      );
      return HANDLED;
    }
    return UNKNOWN;
  }

  dispose(): void {
    this.#abort.abort();
  }

  async #subscribeSigned(): Promise<void> {
    const credentials = this.credentials as BinanceApiKey;
    const result = await retryIdempotent(
      () =>
        this.config.requestPause.run(
          () => {
            this.#assertLive();
            // Built inside the retry (after any pause): every attempt signs its own timestamp.
            const params = signBinanceParams(credentials, this.config.clock.now(), this.config.recvWindowMs);
            return this.rpc.request<SubscribeResult>('userDataStream.subscribe.signature', params);
          },
          this.#abort.signal,
          'Binance session',
          this.config.logger,
        ),
      isBinanceRepeatable,
      this.config.clock,
      this.config.backOff,
      this.#abort.signal,
      'Binance session',
    );
    const id = result?.subscriptionId;
    if (typeof id !== 'number') {
      throw new ExchangeConnectionError(
        'VENUE_ERROR',
        'Binance userDataStream.subscribe.signature: no subscriptionId in the answer',
        {
          method: 'userDataStream.subscribe.signature',
        },
      );
    }
    this.#subscriptionId = id;
  }

  /** The venue ended the stream: subscribe again if consumers still want it; a failure ends the session. */
  #onTerminated(): void {
    this.#subscriptionId = undefined;
    if (!this.#wanted || this.#abort.signal.aborted) return;
    this.#resubscribes += 1;
    this.config.logger?.warn('Binance user data stream terminated by the venue; subscribing again');
    this.#subscribeSigned().catch((error: unknown) => {
      this.#reportFatal(
        isExchangeConnectionError(error)
          ? error
          : new ExchangeConnectionError('VENUE_ERROR', 'Binance user data could not be subscribed again', { cause: error }),
      );
    });
  }

  #reportFatal(error: ExchangeConnectionError): void {
    if (this.#abort.signal.aborted) return;
    this.onFatal(error);
  }

  #assertLive(): void {
    if (this.#abort.signal.aborted) throw new ExchangeConnectionError('NOT_CONNECTED', 'Binance session was disposed');
  }
}

import type { SequenceInfo } from '../venue-adapter.js';

/**
 * Binance order books: a diff stream stitched to a REST snapshot (docs: spot "How to manage a local
 * order book correctly"; USDⓈ-M "How to manage a local order book correctly"):
 * 1. open the stream and buffer its events; 2. fetch the depth snapshot (`lastUpdateId`);
 * 3. drop buffered events with `u <= lastUpdateId`; 4. the first event left must straddle the
 * snapshot — spot `U <= lastUpdateId + 1 <= u`, USDⓈ-M `U <= lastUpdateId <= u` (or `pu ==
 * lastUpdateId`) — else the
 * snapshot is too old: fetch again; 5. from there every event continues the previous one — spot
 * `U == previous u + 1`, USDⓈ-M `pu == previous u` — else a gap: start over.
 *
 * Consumers get one `depthSnapshot` message (the REST book with every buffered event applied, so
 * it is as new as the newest event) and then the venue's `depthUpdate` events, each continuing the
 * last: the supervisor's sequence tracker checks that chain (`binanceBookSequence`), and a gap
 * resubscribes the stream, which starts this over. Nothing between a gap and the next snapshot
 * reaches a consumer.
 */

/** Spot and USDⓈ-M differ only in how an event names its predecessor. */
export type BinanceBookFlavour = 'spot' | 'futures';

export type BinanceLevel = [price: string, quantity: string];

/** A REST depth snapshot (`GET /api/v3/depth`, `GET /fapi/v1/depth`). */
export interface BinanceDepthSnapshot {
  lastUpdateId: number;
  bids: BinanceLevel[];
  asks: BinanceLevel[];
}

/** A diff event as the venue sends it (`pu` on USDⓈ-M only). */
export interface BinanceDepthUpdate {
  e: 'depthUpdate';
  E: number;
  s: string;
  U: number;
  u: number;
  pu?: number;
  b: BinanceLevel[];
  a: BinanceLevel[];
}

/**
 * The first message a book consumer gets (and again after every resync): the whole book, bids
 * best first, asks best first, as of update `u`. Clear the local book, then apply `b` and `a`.
 */
export interface BinanceDepthBookSnapshot {
  e: 'depthSnapshot';
  /** Event time of the newest event folded in (0 when none was). */
  E: number;
  s: string;
  /** The last update id this book includes: the next `depthUpdate` continues from it. */
  u: number;
  b: BinanceLevel[];
  a: BinanceLevel[];
}

/** What a book consumer sees on a diff depth channel. */
export type BinanceBookMessage = BinanceDepthBookSnapshot | BinanceDepthUpdate;

/** A book message whose ids cannot be read: chains to nothing (dropped before a snapshot, a gap after one). */
export const UNREADABLE_BINANCE_BOOK: SequenceInfo = Object.freeze({ id: -1, prev: -1 });

/**
 * The snapshots this module stitched. `depthSnapshot` is this library's own message, never the
 * venue's: a frame on the stream that merely says `e: 'depthSnapshot'` is junk, and taking it for
 * a snapshot would hand consumers a forged book. Only snapshots are looked up (rare), never updates.
 */
const STITCHED = new WeakSet<object>();

/**
 * The sequence facts of one book message for the supervisor's tracker: a snapshot resets the chain
 * at its `u`; an update's predecessor is `U - 1` (spot) or `pu` (USDⓈ-M). `into` is filled and
 * returned (no allocation per frame).
 */
export function binanceBookSequence(data: unknown, flavour: BinanceBookFlavour, into: SequenceInfo): SequenceInfo {
  if (typeof data !== 'object' || data === null) return UNREADABLE_BINANCE_BOOK;
  const message = data as { e?: unknown; u?: unknown; U?: unknown; pu?: unknown };
  const u = message.u;
  if (typeof u !== 'number' || !Number.isSafeInteger(u)) return UNREADABLE_BINANCE_BOOK;
  if (message.e === 'depthSnapshot') {
    if (!STITCHED.has(message)) return UNREADABLE_BINANCE_BOOK;
    into.id = u;
    into.prev = undefined;
    return into;
  }
  const prev = flavour === 'spot' ? (typeof message.U === 'number' ? message.U - 1 : undefined) : message.pu;
  if (message.e !== 'depthUpdate' || typeof prev !== 'number' || !Number.isSafeInteger(prev)) return UNREADABLE_BINANCE_BOOK;
  into.id = u;
  into.prev = prev;
  return into;
}

/** What the sync made of one event. */
export type BookStep =
  /** Held (buffering, or stale): nothing for consumers yet. */
  | { kind: 'held' }
  /** Deliver this (the stitched snapshot, or the event itself once live). */
  | { kind: 'deliver'; message: BinanceBookMessage }
  /** The snapshot cannot be stitched to the buffer (too old, or the buffer has a gap): fetch a new one. */
  | { kind: 'refetch'; reason: string };

const HELD: BookStep = Object.freeze({ kind: 'held' });

/**
 * One diff depth stream on one socket, from its subscribe to its unsubscribe: buffers events until
 * the snapshot can be stitched, then passes events through (the supervisor checks their chain).
 */
export class BinanceBookSync {
  #live = false;
  #buffer: BinanceDepthUpdate[] = [];
  #snapshot: BinanceDepthSnapshot | undefined;
  #dropped = 0;
  readonly #live$: { kind: 'deliver'; message: BinanceBookMessage } = {
    kind: 'deliver',
    message: undefined as unknown as BinanceBookMessage,
  };

  constructor(
    readonly symbol: string,
    private readonly flavour: BinanceBookFlavour,
    private readonly maxBuffered: number,
  ) {}

  get live(): boolean {
    return this.#live;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  /** Events dropped because the buffer was full (the oldest go; a stitch then needs a newer snapshot). */
  get dropped(): number {
    return this.#dropped;
  }

  /** One event of the stream. Once live the event is passed on as is (the same object, no copy). */
  onEvent(data: unknown): BookStep {
    if (this.#live) {
      this.#live$.message = data as BinanceBookMessage;
      return this.#live$;
    }
    // Only a well-formed event is buffered: one junk event would otherwise break every stitch
    // after it (a level that is no [price, quantity] pair, an id no chain can continue).
    if (!isDepthUpdate(data, this.flavour)) return HELD;
    this.#buffer.push(data);
    if (this.#buffer.length > this.maxBuffered) {
      this.#buffer.shift();
      this.#dropped += 1;
    }
    return this.#stitch();
  }

  /** The REST snapshot arrived (a newer one replaces an older one). */
  setSnapshot(snapshot: BinanceDepthSnapshot): void {
    if (this.#live) return;
    this.#snapshot = snapshot;
  }

  get hasSnapshot(): boolean {
    return this.#snapshot !== undefined;
  }

  #stitch(): BookStep {
    const snapshot = this.#snapshot;
    if (snapshot === undefined) return HELD;
    const last = snapshot.lastUpdateId;
    // Docs: drop any event where u is <= lastUpdateId in the snapshot.
    let start = 0;
    while (start < this.#buffer.length && (this.#buffer[start] as BinanceDepthUpdate).u <= last) start += 1;
    if (start > 0) this.#buffer = this.#buffer.slice(start);
    const first = this.#buffer[0];
    if (first === undefined) return HELD;
    // USDⓈ-M: the docs' rule (`U <= lastUpdateId <= u`) misses a snapshot taken right at an
    // event's end, whose next event starts at lastUpdateId + 1; its `pu` names the snapshot exactly.
    const straddles = this.flavour === 'spot' ? first.U <= last + 1 : first.U <= last || first.pu === last;
    if (!straddles) {
      this.#snapshot = undefined;
      return { kind: 'refetch', reason: `snapshot ${last} older than the first buffered event (U ${first.U})` };
    }
    for (let i = 1; i < this.#buffer.length; i += 1) {
      const previous = this.#buffer[i - 1] as BinanceDepthUpdate;
      const event = this.#buffer[i] as BinanceDepthUpdate;
      const continues = this.flavour === 'spot' ? event.U === previous.u + 1 : event.pu === previous.u;
      if (!continues) {
        // Lost events inside the buffer: only what comes after the break can be stitched, to a
        // snapshot taken after it.
        this.#buffer = this.#buffer.slice(i);
        this.#snapshot = undefined;
        return { kind: 'refetch', reason: `gap in the buffered events after u ${previous.u}` };
      }
    }
    const bids = new Map<string, string>(snapshot.bids);
    const asks = new Map<string, string>(snapshot.asks);
    for (const event of this.#buffer) {
      applyLevels(bids, event.b);
      applyLevels(asks, event.a);
    }
    const newest = this.#buffer[this.#buffer.length - 1] as BinanceDepthUpdate;
    const message: BinanceDepthBookSnapshot = {
      e: 'depthSnapshot',
      E: newest.E,
      s: this.symbol,
      u: newest.u,
      b: sortedLevels(bids, -1),
      a: sortedLevels(asks, 1),
    };
    STITCHED.add(message);
    this.#live = true;
    this.#buffer = [];
    this.#snapshot = undefined;
    return { kind: 'deliver', message };
  }
}

/**
 * A diff event as the docs define it: safe-integer ids with `U <= u` (and `pu` on USDⓈ-M), levels
 * that are `[price, quantity]` string pairs. Checked only while buffering, where every event is
 * stitched into the snapshot consumers get; once live, events pass on as the venue sent them and
 * the supervisor checks their chain.
 */
function isDepthUpdate(data: unknown, flavour: BinanceBookFlavour): data is BinanceDepthUpdate {
  if (typeof data !== 'object' || data === null) return false;
  const event = data as Partial<Record<keyof BinanceDepthUpdate, unknown>>;
  return (
    event.e === 'depthUpdate' &&
    Number.isSafeInteger(event.U) &&
    Number.isSafeInteger(event.u) &&
    (event.U as number) <= (event.u as number) &&
    (flavour === 'spot' || Number.isSafeInteger(event.pu)) &&
    isLevels(event.b) &&
    isLevels(event.a)
  );
}

function isLevels(side: unknown): side is BinanceLevel[] {
  if (!Array.isArray(side)) return false;
  for (const level of side as unknown[]) {
    if (!Array.isArray(level) || level.length !== 2 || typeof level[0] !== 'string' || typeof level[1] !== 'string') return false;
  }
  return true;
}

function applyLevels(side: Map<string, string>, levels: readonly BinanceLevel[]): void {
  for (const level of levels) {
    const [price, quantity] = level;
    if (Number(quantity) === 0) side.delete(price);
    else side.set(price, quantity);
  }
}

function sortedLevels(side: Map<string, string>, order: 1 | -1): BinanceLevel[] {
  return [...side.entries()].sort((a, b) => order * (Number(a[0]) - Number(b[0])));
}

import type { RawData } from 'ws';
import { Buffer } from 'node:buffer';
import { MAX_FRAME_DEPTH_LIMIT } from '../connection-defaults.js';
import { integer } from '../option-checks.js';

/**
 * The venue-neutral part of reading a frame: bytes → one JSON value, within bounds a venue could
 * really send. Anything else is counted as malformed and dropped; the connection lives on. What
 * the value means (JSON-RPC, another envelope) is a codec's business, not the guard's.
 */

/** Why a frame was unusable. Stable strings: they appear in `malformed` events and stats. */
export type MalformedReason = 'binary' | 'too-large' | 'unparsable' | 'too-deep' | 'not-an-object' | 'wrong-shape' | 'unknown-id';

/** Bounds on one inbound frame; see FRAME_LIMIT_DEFAULTS and the venue adapters' own. */
export interface FrameLimits {
  /** Deepest nesting of objects and arrays, the frame's envelope counting as 1. */
  maxDepth?: number;
  /** Largest frame in bytes; frames above it (and at most `maxPayload`) are dropped, not fatal. */
  maxBytes?: number;
}

/** `limits` over `defaults`, range-checked (INVALID_CONFIG names the field). */
export function resolveFrameLimits(
  limits: FrameLimits | undefined,
  defaults: Required<FrameLimits>,
  name = 'frameLimits',
): Required<FrameLimits> {
  return {
    // 2 is the least any envelope with an object in it needs; beyond the limit the walk is pointless.
    maxDepth: integer(`${name}.maxDepth`, limits?.maxDepth, defaults.maxDepth, 2, MAX_FRAME_DEPTH_LIMIT),
    maxBytes: integer(`${name}.maxBytes`, limits?.maxBytes, defaults.maxBytes, 1),
  };
}

/** A frame the guard refused. Preallocated per reason, so refusing allocates nothing. */
export class UnusableFrame {
  private constructor(readonly reason: MalformedReason) {}

  static readonly binary = new UnusableFrame('binary');
  static readonly tooLarge = new UnusableFrame('too-large');
  static readonly unparsable = new UnusableFrame('unparsable');
  static readonly tooDeep = new UnusableFrame('too-deep');
}

/**
 * The frame's JSON value, or why it cannot be had. Never throws. The valid path allocates nothing
 * beyond the parse itself: this runs for every frame.
 */
export function readFrame(data: RawData, isBinary: boolean, limits: Required<FrameLimits>): unknown {
  if (isBinary) return UnusableFrame.binary;
  let text: string;
  if (Buffer.isBuffer(data)) {
    // What ws hands over for nearly every frame: one Buffer. `toString()` without an encoding is
    // UTF-8 without Node's encoding lookup, and the generic checks below are skipped.
    if (data.length > limits.maxBytes) return UnusableFrame.tooLarge;
    text = data.toString();
  } else {
    if (byteLength(data) > limits.maxBytes) return UnusableFrame.tooLarge;
    text = toText(data);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return UnusableFrame.unparsable;
  }
  return exceedsDepth(text, value, limits.maxDepth) ? UnusableFrame.tooDeep : value;
}

/**
 * Whether `value` (parsed from `text`) nests deeper than `maxDepth`. V8 parses any depth, but the
 * recursive code downstream (JSON.stringify, a consumer's deep copy) overflows its stack on a few
 * thousand levels, so such data must never reach a consumer.
 *
 * Three steps, cheapest first; this runs for every frame.
 * 1. Length. Each level takes an opening and a closing bracket and `text` parsed, so a frame of at
 *    most 2·`maxDepth` characters cannot nest deeper: one comparison settles most venue events
 *    (a Binance trade is ~170 characters) against the default bound of 128.
 * 2. Brackets. Nesting needs an opening bracket per level, so a frame with at most
 *    min(`maxDepth`, BRACKETS_COUNTED) of them is proven shallow without looking at the value: a
 *    few `indexOf` calls (~120 instructions each), which settles a ticker (it has 4).
 * 3. A walk. Frames with more brackets (book levels, arrays of trades, brackets inside strings)
 *    are walked, exactly, descending at most `maxDepth` levels: the walk's recursion is bounded by
 *    the limit, not by the frame, and it stops at the first branch that is too deep.
 */
export function exceedsDepth(text: string, value: unknown, maxDepth: number): boolean {
  if (text.length <= 2 * maxDepth) return false;
  if (!moreBracketsThan(text, Math.min(maxDepth, BRACKETS_COUNTED))) return false;
  return typeof value === 'object' && value !== null && deeperThan(value, maxDepth);
}

/**
 * Where the count stops whatever the bound, so a book frame (hundreds of brackets, walked anyway)
 * pays 17 searches, not 129. 16 was Binance's and Bybit's bound, so their frames cost what they did.
 */
const BRACKETS_COUNTED = 16;
const OPENING_BRACE = 0x7b;

function moreBracketsThan(text: string, limit: number): boolean {
  // An object frame starts with its own bracket: counted without a search.
  let count = text.charCodeAt(0) === OPENING_BRACE ? 1 : 0;
  for (let i = text.indexOf('{', count); i !== -1; i = text.indexOf('{', i + 1)) if (++count > limit) return true;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++count > limit) return true;
  return false;
}

/** `container` uses one of `levels`; true when some path needs more. */
function deeperThan(container: object, levels: number): boolean {
  if (levels === 0) return true;
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i += 1) {
      const item: unknown = container[i];
      if (typeof item === 'object' && item !== null && deeperThan(item, levels - 1)) return true;
    }
    return false;
  }
  const record = container as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (typeof item === 'object' && item !== null && deeperThan(item, levels - 1)) return true;
  }
  return false;
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) {
    let total = 0;
    for (const chunk of data) total += chunk.length;
    return total;
  }
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * Counts unusable frames and says when to log one: the first, then every `every`-th, so a venue
 * spewing junk cannot flood the logs.
 */
export class MalformedCounter {
  private total = 0;
  private readonly byReason = new Map<MalformedReason, number>();

  constructor(private readonly every = 100) {}

  record(reason: MalformedReason): { count: number; log: boolean } {
    this.total += 1;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    return { count: this.total, log: this.total === 1 || this.total % this.every === 0 };
  }

  get count(): number {
    return this.total;
  }

  reasons(): Record<string, number> {
    return Object.fromEntries(this.byReason);
  }
}

import fc from 'fast-check';

/**
 * The venue-neutral half of the hostile-frame fuzz specs (Deribit, Bybit, Binance): frames no venue
 * sends in any envelope (bad JSON, any JSON value, binary, huge arrays, deep nesting, frames near
 * the client's payload limit), the measures the specs judge delivered data by, and the rule for
 * which frames must certainly be counted as malformed. Each venue's spec adds its own
 * venue-shaped-but-wrong frames.
 */

export interface HostileFrame {
  kind: string;
  data: string | Buffer;
  binary: boolean;
}

/** A text frame of `kind`. */
export const text =
  (kind: string) =>
  (data: string): HostileFrame => ({ kind, data, binary: false });

/** `value` as JSON in a text frame of `kind` (a value JSON cannot hold becomes `null`). */
export const json =
  (kind: string) =>
  (value: unknown): HostileFrame => ({ kind, data: JSON.stringify(value) ?? 'null', binary: false });

/** Ids a client has sent are small; anything at or above this was never sent. */
export const NEVER_SENT_ID = 1_000_000_000;

/**
 * A parsed object whose numeric id could collide with a real in-flight request gets a never-sent
 * one (for `VenueEnvelope.neverSent` of a venue that matches answers by a numeric id).
 */
export function neverSentIds(frame: string): string {
  try {
    const value: unknown = JSON.parse(frame);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const id = (value as { id?: unknown }).id;
      if (typeof id === 'number' && Number.isSafeInteger(id) && id < NEVER_SENT_ID) {
        return JSON.stringify({ ...value, id: NEVER_SENT_ID + Math.abs(id) });
      }
    }
  } catch {
    /* not JSON: nothing to fix */
  }
  return frame;
}

/** How a venue wraps data into a message on a channel the connection subscribes. */
export interface VenueEnvelope {
  /** A valid message of a subscribed channel whose data is the JSON text `data`. */
  wrap(data: string): string;
  /** A valid message (of a channel nobody watches, if the venue allows) whose string field is `padding`. */
  padded(padding: string): string;
  /** Starts of the venue's own frames, cut short. */
  truncated: readonly string[];
  /** The client's hard frame limit (ws closes above it). */
  maxPayload: number;
  /** The venue adapter's nesting bound. */
  maxDepth: number;
  /** Rewrites a random JSON text so it cannot collide with a request in flight (default: as is). */
  neverSent?: (json: string) => string;
}

/** The frames every venue must survive, whatever its envelope: 11 kinds. */
export function venueNeutralFrames(venue: VenueEnvelope): Array<fc.Arbitrary<HostileFrame>> {
  const neverSent = venue.neverSent ?? ((s: string) => s);
  return [
    fc.string({ maxLength: 200 }).map(text('random-text')),
    fc.constantFrom('{', '[', '"', 'null', 'NaN', '{"id":1e999}', '\u0000', '{}}', ...venue.truncated).map(text('truncated')),
    fc.json({ maxDepth: 4 }).map((s) => text('json')(neverSent(s))),
    fc.uint8Array({ maxLength: 512 }).map((bytes): HostileFrame => ({ kind: 'binary', data: Buffer.from(bytes), binary: true })),
    fc.integer({ min: 1_000, max: 8_000 }).map((n) => text('huge-array')(venue.wrap(`[${'1,'.repeat(n)}1]`))),
    fc.integer({ min: 1_000, max: 30_000 }).map((d) => text('deep-nesting')(`${'['.repeat(d)}${']'.repeat(d)}`)),
    fc.integer({ min: 1_000, max: 10_000 }).map((d) => text('deep-object')(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`)),
    // Valid data on a subscribed channel nesting past the venue's bound (or just within it).
    fc
      .integer({ min: venue.maxDepth - 6, max: 5_000 })
      .map((d) => text('deep-data')(venue.wrap(`${'['.repeat(d)}${']'.repeat(d)}`))),
    // At or just below maxPayload: above the venue's size cap, so dropped, never fatal.
    fc.integer({ min: 0, max: 200 }).map((under) => {
      const empty = venue.padded('');
      return text('near-max-payload')(venue.padded('x'.repeat(venue.maxPayload - Buffer.byteLength(empty) - under)));
    }),
    // Numbers JSON allows and JavaScript rounds or overflows, in the data of a subscribed channel.
    fc
      .constantFrom('1e999', '-1e999', '1e-999', '-0', '9007199254740993', '123456789012345678901234567890', '0.1e+400')
      .map((n) => text('huge-number')(venue.wrap(`{"u":${n},"U":${n},"pu":${n},"seq":${n},"E":${n},"T":${n}}`))),
    // Valid UTF-8 that is unusual: lone surrogate escapes, BOM, control characters, RTL overrides.
    fc
      .constantFrom('\\ud800', '\\udfff', '\\u0000', '\\u001b[2J', '\\u202e', '\\ufeff', '\\u2028')
      .map((s) => text('odd-unicode')(venue.wrap(`{"s":"${s}","symbol":"${s}","p":"${s}"}`))),
  ];
}

/** Nesting depth of a JSON text, strings skipped; iterative, so any depth is fine. */
export function depthOf(jsonText: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < jsonText.length; i += 1) {
    const c = jsonText[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth -= 1;
  }
  return max;
}

/** Nesting depth of a parsed value; iterative, so a value too deep for recursion is measured too. */
export function valueDepth(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    max = Math.max(max, depth);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return max;
}

/**
 * Frames the client cannot use whatever the venue: binary, above the venue's size cap, not JSON,
 * nested past the venue's bound, or not an object. `alsoCertain` adds the venue's own (an answer
 * to an id never sent, a payload of the wrong type).
 */
export function certainlyMalformed(
  frame: HostileFrame,
  limits: { maxBytes: number; maxDepth: number },
  alsoCertain: (value: Record<string, unknown>) => boolean = () => false,
): boolean {
  if (frame.binary) return true;
  if (Buffer.byteLength(frame.data) > limits.maxBytes) return true;
  let value: unknown;
  try {
    value = JSON.parse(frame.data as string);
  } catch {
    return true;
  }
  if (depthOf(frame.data as string) > limits.maxDepth) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return true;
  return alsoCertain(value as Record<string, unknown>);
}

/** How many frames of each kind a sample holds. */
export function kindsOf(frames: readonly HostileFrame[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const f of frames) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  return kinds;
}

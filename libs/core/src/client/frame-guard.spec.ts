import fc from 'fast-check';
import { FRAME_LIMIT_DEFAULTS } from '../connection-defaults.js';
import { MalformedCounter, exceedsDepth, readFrame, resolveFrameLimits, UnusableFrame } from './frame-guard.js';
import { decodeJsonRpc } from './json-rpc-codec.js';
import { MALFORMED_FRAME, type DecodedFrame, type VenueMessage } from './venue-codec.js';

/** What the client does with one frame: the guard's bounds, one parse, then the JSON-RPC codec. */
function parseWith(
  data: Parameters<typeof readFrame>[0],
  isBinary: boolean,
  limits: Parameters<typeof readFrame>[2],
): DecodedFrame {
  const value = readFrame(data, isBinary, limits);
  if (value instanceof UnusableFrame) return MALFORMED_FRAME[value.reason];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return MALFORMED_FRAME['not-an-object'];
  return decodeJsonRpc(value as VenueMessage);
}

const parseFrame = (data: Parameters<typeof readFrame>[0], isBinary: boolean) => parseWith(data, isBinary, FRAME_LIMIT_DEFAULTS);

const text = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('frame guard + JSON-RPC codec', () => {
  it('recognises results, errors and notifications (handed on as the parsed frame)', () => {
    expect(parseFrame(text({ jsonrpc: '2.0', id: 7, result: 'ok', usIn: 1, usOut: 2, usDiff: 1, testnet: true }), false)).toEqual(
      {
        kind: 'response',
        id: 7,
        result: 'ok',
      },
    );
    expect(parseFrame(text({ jsonrpc: '2.0', id: 8, error: { code: 13004, message: 'invalid_credentials' } }), false)).toEqual({
      kind: 'error',
      id: 8,
      error: { code: 13004, message: 'invalid_credentials' },
    });
    expect(
      parseFrame(
        text({ jsonrpc: '2.0', method: 'subscription', params: { channel: 'ticker.BTC-PERPETUAL.100ms', data: {} } }),
        false,
      ),
    ).toEqual({ kind: 'message' });
  });

  it('accepts a null result', () => {
    expect(parseFrame(text({ jsonrpc: '2.0', id: 1, result: null }), false)).toEqual({ kind: 'response', id: 1, result: null });
  });

  it.each([
    ['binary', text({ id: 1, result: 1 }), true],
    ['unparsable', text('{not json'), false],
    ['unparsable', text(''), false],
    ['not-an-object', text('[1,2]'), false],
    ['not-an-object', text('42'), false],
    ['wrong-shape', text({ id: 'x', result: 1 }), false],
    ['wrong-shape', text({ id: 1.5, result: 1 }), false],
    ['wrong-shape', text({ id: 1 }), false],
    ['wrong-shape', text({ id: 1, error: { message: 'no code' } }), false],
    ['wrong-shape', text({ jsonrpc: '2.0' }), false],
    ['wrong-shape', text({ method: 42 }), false],
    ['wrong-shape', text({ jsonrpc: '2.0', method: 'subscription', params: ['not', 'an', 'object'] }), false],
    ['wrong-shape', text({ jsonrpc: '2.0', method: 'subscription', params: 'x' }), false],
  ] as const)('reports %s', (reason, data, isBinary) => {
    expect(parseFrame(data, isBinary)).toEqual({ kind: 'malformed', reason });
  });

  it('reads fragmented and ArrayBuffer payloads', () => {
    const whole = text({ id: 3, result: 'x' });
    expect(parseFrame([whole.subarray(0, 5), whole.subarray(5)], false)).toMatchObject({ kind: 'response', id: 3 });
    const copy = new Uint8Array(whole).buffer;
    expect(parseFrame(copy, false)).toMatchObject({ kind: 'response', id: 3 });
  });
});

/** Reference: nesting depth of a JSON value, the outermost container counting as 1. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const notificationWith = (data: string) =>
  Buffer.from(`{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-PERPETUAL.100ms","data":${data}}}`);

describe('frame guard: depth', () => {
  const limits = { maxDepth: 32, maxBytes: 1024 * 1024 };

  it('drops a notification whose data nests 5,000 arrays as too-deep (the frame is valid JSON-RPC)', () => {
    expect(parseWith(notificationWith(nestedArrays(5_000)), false, limits)).toEqual({ kind: 'malformed', reason: 'too-deep' });
  });

  it('counts the envelope: depth 32 passes, 33 does not', () => {
    // envelope (1) → params (2) → data: 30 arrays reach 32, 31 reach 33.
    expect(parseWith(notificationWith(nestedArrays(30)), false, limits)).toMatchObject({ kind: 'message' });
    expect(parseWith(notificationWith(nestedArrays(31)), false, limits)).toEqual({ kind: 'malformed', reason: 'too-deep' });
  });

  it('does not count brackets inside strings, nor wide-but-shallow frames', () => {
    const bracketsInStrings = JSON.stringify({ jsonrpc: '2.0', method: 'x', params: { text: '[[[[{{{{'.repeat(100) } });
    expect(readFrame(Buffer.from(bracketsInStrings), false, limits)).not.toBeInstanceOf(UnusableFrame);
    const wide = notificationWith(JSON.stringify(Array.from({ length: 5_000 }, (_, i) => ['new', i, i])));
    expect(parseWith(wide, false, limits)).toMatchObject({ kind: 'message' });
  });

  it('agrees with a reference depth for any JSON value and any limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 1, max: 14 }), (value, maxDepth) => {
        const text = JSON.stringify(value);
        expect(exceedsDepth(text, JSON.parse(text), maxDepth)).toBe(depthOf(value) > maxDepth);
      }),
      { numRuns: 2_000, seed: 42 },
    );
  });

  it('agrees with the reference across every step: length, bracket count, walk', () => {
    // A chain of arrays and objects `depth` deep, padded with strings that hold brackets, under
    // bounds on both sides of where the length and the bracket count stop settling a frame.
    const chained = fc
      .record({
        depth: fc.integer({ min: 1, max: 48 }),
        arrays: fc.array(fc.boolean(), { minLength: 48, maxLength: 48 }),
        padding: fc.stringMatching(/^[a-z[\]{}]{0,12}$/),
        leaf: fc.jsonValue({ maxDepth: 2 }),
      })
      .map(({ depth, arrays, padding, leaf }) => {
        let value: unknown = leaf;
        for (let level = 1; level < depth; level += 1) value = arrays[level] ? [value, padding] : { v: value, p: padding };
        return arrays[0] ? [value] : { v: value };
      });
    fc.assert(
      fc.property(chained, fc.integer({ min: 2, max: 48 }), (value, maxDepth) => {
        const text = JSON.stringify(value);
        expect(exceedsDepth(text, JSON.parse(text), maxDepth)).toBe(depthOf(value) > maxDepth);
      }),
      { numRuns: 3_000, seed: 7 },
    );
  });

  it('settles a frame of at most 2·maxDepth characters by its length, without looking at the value', () => {
    // Valid JSON spends two characters a level; the value here is deliberately not the text's.
    const tooDeepValue = JSON.parse(nestedArrays(200)) as unknown;
    const shortText = JSON.stringify({ p: '[[[[[[[[{{{{{{{{[[[[[[[[' });
    expect(shortText.length).toBeLessThanOrEqual(2 * 16);
    expect(exceedsDepth(shortText, tooDeepValue, 16)).toBe(false);
    expect(exceedsDepth(`${shortText} `, tooDeepValue, shortText.length / 2)).toBe(true);
  });

  it('draws the line exactly at the bound, whatever the bound', () => {
    for (let maxDepth = 2; maxDepth <= 300; maxDepth += 1) {
      const bounds = { maxDepth, maxBytes: 1024 * 1024 };
      expect(readFrame(Buffer.from(nestedArrays(maxDepth)), false, bounds)).not.toBeInstanceOf(UnusableFrame);
      expect(readFrame(Buffer.from(nestedArrays(maxDepth + 1)), false, bounds)).toBe(UnusableFrame.tooDeep);
    }
  });

  it('deep objects too, at any depth V8 can parse, without recursing deeper than the limit', () => {
    const deepObject = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    expect(readFrame(Buffer.from(deepObject), false, limits)).toBe(UnusableFrame.tooDeep);
  });
});

describe('frame guard: size', () => {
  it('drops a frame above maxBytes as too-large before decoding it, at any fragmentation', () => {
    const frame = notificationWith(JSON.stringify({ padding: 'x'.repeat(2_000) }));
    const limits = { maxDepth: 32, maxBytes: frame.length - 1 };
    expect(parseWith(frame, false, limits)).toEqual({ kind: 'malformed', reason: 'too-large' });
    expect(parseWith([frame.subarray(0, 100), frame.subarray(100)], false, limits)).toEqual({
      kind: 'malformed',
      reason: 'too-large',
    });
    expect(parseWith(new Uint8Array(frame).buffer, false, limits)).toEqual({ kind: 'malformed', reason: 'too-large' });
    expect(parseWith(frame, false, { ...limits, maxBytes: frame.length })).toMatchObject({ kind: 'message' });
  });

  it('range-checks the limits, naming the field', () => {
    expect(() => resolveFrameLimits({ maxDepth: 1 }, FRAME_LIMIT_DEFAULTS)).toThrow(/frameLimits\.maxDepth/);
    expect(() => resolveFrameLimits({ maxDepth: 100_000 }, FRAME_LIMIT_DEFAULTS)).toThrow(/frameLimits\.maxDepth/);
    expect(() => resolveFrameLimits({ maxBytes: 0 }, FRAME_LIMIT_DEFAULTS)).toThrow(/frameLimits\.maxBytes/);
    expect(() => resolveFrameLimits({ maxBytes: 1.5 }, FRAME_LIMIT_DEFAULTS)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(resolveFrameLimits(undefined, FRAME_LIMIT_DEFAULTS)).toEqual(FRAME_LIMIT_DEFAULTS);
  });
});

describe('MalformedCounter', () => {
  it('logs the first and every 100th', () => {
    const counter = new MalformedCounter(100);
    const logged: number[] = [];
    for (let i = 0; i < 250; i++) {
      const { count, log } = counter.record(i % 2 ? 'binary' : 'unparsable');
      if (log) logged.push(count);
    }
    expect(logged).toEqual([1, 100, 200]);
    expect(counter.count).toBe(250);
    expect(counter.reasons()).toEqual({ unparsable: 125, binary: 125 });
  });
});

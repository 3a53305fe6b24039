import { Buffer } from 'node:buffer';
/** Kinds of bad frame every test exchange can send, each in its venue's envelope where it has one. */
export type MalformedKind = 'garbage' | 'binary' | 'unknown-id' | 'wrong-shape' | 'deep-nesting';

export const MALFORMED_KINDS: readonly MalformedKind[] = ['garbage', 'binary', 'unknown-id', 'wrong-shape', 'deep-nesting'];

export function isMalformedKind(value: string): value is MalformedKind {
  return (MALFORMED_KINDS as readonly string[]).includes(value);
}

/** Not UTF-8, not JSON: what a binary frame from a confused proxy looks like. */
export const BINARY_GARBAGE: Buffer = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x7b, 0x22]);

const NESTING_DEPTH = 10_000;

/** A JSON value nested deep enough to blow a recursive parser's stack. */
export function deeplyNested(depth = NESTING_DEPTH): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Pads `build(padding)` so that its UTF-8 size is exactly `bytes` (or its minimum size). */
export function paddedTo(bytes: number, build: (padding: string) => string): string {
  const empty = build('');
  return build('x'.repeat(Math.max(0, bytes - Buffer.byteLength(empty))));
}

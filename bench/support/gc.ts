import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type: 'major' | 'minor' }) => void;

let cached: Gc | undefined;

/**
 * A full garbage collection. Uses `global.gc` when Node runs with --expose-gc; otherwise (under
 * Jest) enables the flag at run time and fetches `gc` from a fresh context, which V8 allows.
 */
export function collectGarbage(): void {
  cached ??= resolveGc();
  cached();
  cached();
}

/**
 * A young-generation collection only, before a timed run: what the previous run left behind is
 * not collected inside this one. Not a full collection: a full one also frees the hidden classes
 * (maps) of parsed frames when no frame is alive at that moment, and V8 then throws away the
 * optimized code that checks for them ("marking dependent code for deoptimization, reason: weak
 * objects" under --trace-deopt), so every timed run began by recompiling the path — a cost a
 * consumer reading a backlog never pays, and the larger the more code a path has optimized.
 */
export function collectYoungGarbage(): void {
  cached ??= resolveGc();
  cached({ type: 'minor' });
}

function resolveGc(): Gc {
  const existing = (globalThis as { gc?: Gc }).gc;
  if (typeof existing === 'function') return existing;
  setFlagsFromString('--expose-gc');
  const fromContext = runInNewContext('gc') as unknown;
  if (typeof fromContext !== 'function') throw new Error('cannot obtain gc(); run node with --expose-gc');
  return fromContext as Gc;
}

/** Heap used after a full collection, bytes. */
export function heapAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** RSS after a full collection, bytes. */
export function rssAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().rss;
}

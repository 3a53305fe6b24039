import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = () => void;

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

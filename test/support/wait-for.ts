/** Thrown when a wait runs out of time; the message says what was awaited. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

export interface WaitForOptions {
  /** Default 5000. */
  timeoutMs?: number;
  /** Poll interval; default 10. */
  intervalMs?: number;
  /** Says what was awaited, e.g. 'proxy to have 2 links'. */
  message?: string;
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `predicate` until it returns (or resolves to) a truthy value, which is returned. A predicate
 * that throws counts as "not yet" (so `expect` can be used inside); its last error is reported on
 * timeout. A predicate whose promise never settles cannot make this hang.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions = {}): Promise<Truthy<T>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 10;
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const remaining = deadline - performance.now();
    try {
      const value = await withTimeout(Promise.resolve().then(predicate), Math.max(remaining, 0));
      if (value.settled && value.value) return value.value as Truthy<T>;
    } catch (error) {
      lastError = error;
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      const what = options.message ?? 'condition';
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new WaitTimeoutError(`Timed out after ${timeoutMs} ms waiting for ${what}${cause}`, { cause: lastError });
    }
    await sleep(Math.min(intervalMs, left));
  }
}

export interface WaitForEventOptions {
  /** Default 5000. */
  timeoutMs?: number;
  message?: string;
  /** Events that reject the wait instead (e.g. `['error']` while waiting for 'open'). */
  rejectOn?: readonly string[];
}

/** The part of Node's EventEmitter (and `ws`'s WebSocket) that `waitForEvent` uses. */
export interface EventSource {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Resolves with the arguments of the next `event`; rejects with WaitTimeoutError after the timeout. */
export function waitForEvent<A extends unknown[] = unknown[]>(
  emitter: EventSource,
  event: string,
  options: WaitForEventOptions = {},
): Promise<A> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const rejectOn = options.rejectOn ?? [];
  return new Promise<A>((resolve, reject) => {
    const onEvent = (...args: unknown[]): void => {
      cleanup();
      resolve(args as A);
    };
    const onReject = rejectOn.map((name) => {
      const listener = (...args: unknown[]): void => {
        cleanup();
        const cause = args[0];
        const detail = cause instanceof Error ? `: ${cause.message}` : '';
        reject(new Error(`'${name}' emitted while waiting for '${event}'${detail}`, { cause }));
      };
      return { name, listener };
    });
    const timer = setTimeout(() => {
      cleanup();
      const what = options.message ?? `'${event}' event`;
      reject(new WaitTimeoutError(`Timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    function cleanup(): void {
      clearTimeout(timer);
      emitter.removeListener(event, onEvent);
      for (const { name, listener } of onReject) emitter.removeListener(name, listener);
    }
    emitter.once(event, onEvent);
    for (const { name, listener } of onReject) emitter.once(name, listener);
  });
}

/** A plain delay, for measuring a window in which nothing must happen (never to wait for something). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<{ settled: boolean; value?: T }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ settled: boolean }>((resolve) => {
    timer = setTimeout(() => resolve({ settled: false }), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ settled: true, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

import type { Observable } from 'rxjs';
import { MAX_TIMER_MS } from '../connection-defaults.js';
import { ExchangeConnectionError } from '../client/errors.js';
import type { ConnectionState } from './connection-types.js';

/** What waiting for readiness reads of a connection. */
export interface ReadyWaitSide {
  readonly name: string;
  readonly state$: Observable<ConnectionState>;
  readonly state: ConnectionState;
}

/**
 * Resolves at `ready`; rejects at `closed` (or a completed state stream), at `circuit-open`, or
 * after `timeoutMs` (READY_TIMEOUT). See `ExchangeConnection.whenReady`.
 */
export function waitForReady(
  side: ReadyWaitSide,
  timeoutMs: number | undefined,
  /** The error an open circuit ends the wait with (it names the last failure). */
  circuitOpenError: () => ExchangeConnectionError,
): Promise<void> {
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > MAX_TIMER_MS)) {
    return Promise.reject(
      new ExchangeConnectionError('INVALID_REQUEST', `whenReady: timeoutMs must be > 0 and <= ${MAX_TIMER_MS}`),
    );
  }
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (outcome: ExchangeConnectionError | undefined) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      // state$ may emit synchronously inside subscribe(), before `subscription` is assigned.
      queueMicrotask(() => subscription.unsubscribe());
      if (outcome === undefined) resolve();
      else reject(outcome);
    };
    const closed = () => new ExchangeConnectionError('CLOSED_BY_USER', `connection '${side.name}' is closed`);
    const onState = (state: ConnectionState) => {
      if (state === 'ready') settle(undefined);
      else if (state === 'closed') settle(closed());
      else if (state === 'circuit-open') settle(circuitOpenError());
    };
    // After close() the state stream has completed: it replays no value, only completion.
    const subscription = side.state$.subscribe({ next: onState, complete: () => settle(closed()) });
    if (!settled && timeoutMs !== undefined) {
      timer = setTimeout(
        () =>
          settle(
            new ExchangeConnectionError(
              'READY_TIMEOUT',
              `connection '${side.name}' not ready after ${timeoutMs} ms (${side.state})`,
            ),
          ),
        timeoutMs,
      );
    }
  });
}

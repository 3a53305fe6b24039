import type { Observable } from 'rxjs';
import { ExchangeConnectionError, type ConnectionState } from '@exchange-connection/core';

/** What waiting for readiness reads of a coordinated connection. */
interface ReadySide {
  readonly name: string;
  readonly state$: Observable<ConnectionState>;
  readonly state: ConnectionState;
}

/**
 * `whenReady` of a coordinated connection: resolves at `ready`, rejects at `closed` (or a completed
 * state stream), at `circuit-open` (here or at the owner), or after `timeoutMs` (READY_TIMEOUT).
 */
export function whenReady(side: ReadySide, timeoutMs: number | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (error?: ExchangeConnectionError) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      queueMicrotask(() => subscription.unsubscribe());
      if (error) reject(error);
      else resolve();
    };
    const closed = () => new ExchangeConnectionError('CLOSED_BY_USER', `connection '${side.name}' is closed`);
    const subscription = side.state$.subscribe({
      next: (state) => {
        if (state === 'ready') settle();
        else if (state === 'closed') settle(closed());
        // As SupervisedConnection: an open circuit (here or at the owner) is an answer, not a wait.
        else if (state === 'circuit-open') {
          settle(new ExchangeConnectionError('CIRCUIT_OPEN', `connection '${side.name}' circuit is open`));
        }
      },
      complete: () => settle(closed()),
    });
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

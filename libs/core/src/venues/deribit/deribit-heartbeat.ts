import type { VenueMessage } from '../../client/venue-codec.js';
import { durationSec } from '../../option-checks.js';
import type { RoutedNotification, VenueRpc } from '../venue-adapter.js';

export function assertHeartbeatInterval(intervalSec: number): number {
  // Deribit itself refuses < 10 s; the bound is left to the venue so a test exchange may go lower.
  return durationSec('heartbeatIntervalSec', intervalSec, 0);
}

/**
 * Deribit's application heartbeat: `public/set_heartbeat` turns it on; the venue then sends
 * `heartbeat` notifications, and closes the socket if a `test_request` is not answered with
 * `public/test`.
 */
export class DeribitHeartbeat {
  #disposed = false;
  #answered = 0;

  constructor(
    private readonly rpc: VenueRpc,
    /** A `public/test` answer failed (usually the socket is going down anyway). */
    private readonly onAnswerFailed?: (error: unknown) => void,
  ) {}

  /** test_requests answered so far. */
  get answered(): number {
    return this.#answered;
  }

  static enableParams(intervalSec: number): Record<string, unknown> {
    return { interval: assertHeartbeatInterval(intervalSec) };
  }

  /** `handled` for every `heartbeat` notification, undefined for anything else. */
  route(message: VenueMessage): RoutedNotification | undefined {
    if (message.method !== 'heartbeat') return undefined;
    const type = (message.params as { type?: unknown } | undefined)?.type;
    if (type === 'test_request' && !this.#disposed) {
      this.#answered++;
      // Fire-and-forget: routing must not wait on the network, but a failure must not go unhandled.
      this.rpc.request('public/test', {}).catch((error: unknown) => {
        if (!this.#disposed) this.onAnswerFailed?.(error);
      });
    }
    return { kind: 'handled' };
  }

  dispose(): void {
    this.#disposed = true;
  }
}

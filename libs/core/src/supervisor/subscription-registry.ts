import { Observable, type Subscriber } from 'rxjs';

interface ChannelEntry {
  /**
   * The channel's observers. Replaced, never mutated, when one comes or goes (copy-on-write), so a
   * delivery iterates a stable array without copying it per message, even if a consumer
   * unsubscribes (or another subscribes) from inside its own `next`.
   */
  subscribers: ReadonlyArray<Subscriber<unknown>>;
}

/**
 * The single source of truth for which channels consumers want. Each channel is ref-counted by
 * its observers: the first observer adds it to the desired set, the last teardown removes it.
 * A rebuild replays `desired()`; nothing else decides what a session subscribes to.
 *
 * Delivery calls each observer's Subscriber directly. A per-channel RxJS Subject did the same
 * through more layers (a closure per `next` for its error context, a closed check, a second
 * subscriber wrapping the first); on the per-message path that was a measurable share of the
 * library's cost. RxJS still isolates a throwing consumer: a Subscriber's `next` catches and
 * reports to `config.onUnhandledError`.
 */
export class SubscriptionRegistry {
  private readonly channels = new Map<string, ChannelEntry>();

  /** `onChange` runs after the desired set gained or lost a channel. */
  constructor(private readonly onChange: () => void) {}

  observe<T>(channel: string): Observable<T> {
    return new Observable<T>((subscriber) => {
      let entry = this.channels.get(channel);
      const added = entry === undefined;
      if (entry === undefined) {
        entry = { subscribers: [] };
        this.channels.set(channel, entry);
      }
      const current = entry;
      const own = subscriber as Subscriber<unknown>;
      current.subscribers = [...current.subscribers, own];
      if (added) this.onChange();
      return () => {
        current.subscribers = current.subscribers.filter((s) => s !== own);
        if (current.subscribers.length === 0 && this.channels.get(channel) === current) {
          this.channels.delete(channel);
          this.onChange();
        }
      };
    });
  }

  desired(): string[] {
    return [...this.channels.keys()];
  }

  has(channel: string): boolean {
    return this.channels.has(channel);
  }

  get size(): number {
    return this.channels.size;
  }

  /** Returns false when nobody wants the channel (a late message after unsubscribe). */
  deliver(channel: string, data: unknown): boolean {
    const entry = this.channels.get(channel);
    if (entry === undefined) return false;
    const subscribers = entry.subscribers;
    for (let i = 0; i < subscribers.length; i += 1) {
      // RxJS already isolates a throwing consumer (reported via config.onUnhandledError); the guard
      // keeps a broken operator chain from ever unwinding into the connection's frame path.
      try {
        (subscribers[i] as Subscriber<unknown>).next(data);
      } catch {
        /* isolated to that consumer */
      }
    }
    return true;
  }

  /** The channel cannot be had: its consumers' streams error with `error` and it leaves the desired set. */
  fail(channel: string, error: Error): void {
    const entry = this.channels.get(channel);
    if (entry === undefined) return;
    this.channels.delete(channel);
    for (const subscriber of entry.subscribers) subscriber.error(error);
  }

  /** The connection is closed for good: complete every consumer stream. */
  completeAll(): void {
    const entries = [...this.channels.values()];
    this.channels.clear();
    for (const entry of entries) for (const subscriber of entry.subscribers) subscriber.complete();
  }
}

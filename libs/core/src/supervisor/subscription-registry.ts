import { Observable, type Subscriber } from 'rxjs';

interface ChannelEntry {
  /**
   * The channel's observers. Replaced, never mutated, when one comes or goes (copy-on-write), so a
   * delivery iterates a stable array without copying it per message, even if a consumer
   * unsubscribes (or another subscribes) from inside its own `next`.
   */
  subscribers: ReadonlyArray<Subscriber<unknown>>;
  /**
   * Observers that joined a sequenced channel (a book) while it was live: the next message they
   * could use is a snapshot, so they get nothing until one comes (a delta would be a broken book).
   */
  waiting: ReadonlyArray<Subscriber<unknown>>;
}

export interface SubscriptionRegistryHooks {
  /** Whether a channel is sequenced: snapshot then deltas (its late observers wait for a snapshot). */
  isSequenced?(channel: string): boolean;
  /** An observer joined a live sequenced channel and waits for its next snapshot. */
  onLateJoin?(channel: string): void;
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
  /**
   * The channel delivered last and its entry. A channel name from a parsed frame is a fresh
   * string: a Map lookup hashes it every time (~60 ns here, a large share of the per-message
   * work), while comparing it with the previous frame's name is a short memcmp, and consecutive
   * frames are mostly of one channel. Cleared whenever an entry leaves the map.
   */
  private lastChannel: string | undefined;
  private lastEntry: ChannelEntry | undefined;

  /** `onChange` runs after the desired set gained or lost a channel. */
  constructor(
    private readonly onChange: () => void,
    private readonly hooks: SubscriptionRegistryHooks = {},
  ) {}

  observe<T>(channel: string): Observable<T> {
    return new Observable<T>((subscriber) => {
      let entry = this.channels.get(channel);
      const added = entry === undefined;
      if (entry === undefined) {
        entry = { subscribers: [], waiting: [] };
        this.channels.set(channel, entry);
      }
      const current = entry;
      const own = subscriber as Subscriber<unknown>;
      // The first observer's subscribe brings the venue's snapshot; a later one's does not.
      const late = !added && this.hooks.isSequenced?.(channel) === true;
      if (late) current.waiting = [...current.waiting, own];
      else current.subscribers = [...current.subscribers, own];
      if (added) this.onChange();
      if (late) this.hooks.onLateJoin?.(channel);
      return () => {
        current.subscribers = current.subscribers.filter((s) => s !== own);
        current.waiting = current.waiting.filter((s) => s !== own);
        if (current.subscribers.length === 0 && current.waiting.length === 0 && this.channels.get(channel) === current) {
          this.forget();
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

  /**
   * Returns false when nobody wants the channel (a late message after unsubscribe). `snapshot`
   * marks a message that starts a sequenced channel afresh: observers waiting for one get it too.
   */
  deliver(channel: string, data: unknown, snapshot = false): boolean {
    let entry = channel === this.lastChannel ? this.lastEntry : undefined;
    if (entry === undefined) {
      entry = this.channels.get(channel);
      if (entry === undefined) return false;
      this.lastChannel = channel;
      this.lastEntry = entry;
    }
    if (snapshot && entry.waiting.length > 0) {
      entry.subscribers = [...entry.subscribers, ...entry.waiting];
      entry.waiting = [];
    }
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
    this.forget();
    this.channels.delete(channel);
    for (const subscriber of [...entry.subscribers, ...entry.waiting]) subscriber.error(error);
  }

  /** The connection is closed for good: complete every consumer stream. */
  completeAll(): void {
    const entries = [...this.channels.values()];
    this.forget();
    this.channels.clear();
    for (const entry of entries) for (const subscriber of [...entry.subscribers, ...entry.waiting]) subscriber.complete();
  }

  private forget(): void {
    this.lastChannel = undefined;
    this.lastEntry = undefined;
  }
}

import { Observable, Subject } from 'rxjs';

interface ChannelEntry {
  readonly subject: Subject<unknown>;
  observers: number;
}

/**
 * The single source of truth for which channels consumers want. Each channel is ref-counted by
 * its observers: the first observer adds it to the desired set, the last teardown removes it.
 * A rebuild replays `desired()`; nothing else decides what a session subscribes to.
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
        entry = { subject: new Subject<unknown>(), observers: 0 };
        this.channels.set(channel, entry);
      }
      entry.observers += 1;
      const current = entry;
      const inner = (current.subject as Subject<T>).subscribe(subscriber);
      if (added) this.onChange();
      return () => {
        inner.unsubscribe();
        current.observers -= 1;
        if (current.observers === 0 && this.channels.get(channel) === current) {
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
    // RxJS already isolates a throwing consumer (reported via config.onUnhandledError); the guard
    // keeps a broken operator chain from ever unwinding into the connection's frame path.
    try {
      entry.subject.next(data);
    } catch {
      /* isolated to that consumer */
    }
    return true;
  }

  /** The channel cannot be had: its consumers' streams error with `error` and it leaves the desired set. */
  fail(channel: string, error: Error): void {
    const entry = this.channels.get(channel);
    if (entry === undefined) return;
    this.channels.delete(channel);
    entry.subject.error(error);
  }

  /** The connection is closed for good: complete every consumer stream. */
  completeAll(): void {
    const entries = [...this.channels.values()];
    this.channels.clear();
    for (const entry of entries) entry.subject.complete();
  }
}

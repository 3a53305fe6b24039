import type { VenueSession } from '../venues/venue-adapter.js';
import { SequenceTracker } from './sequence-tracker.js';
import type { SubscriptionRegistry } from './subscription-registry.js';

/**
 * The subscriptions of one venue session (one socket). Lives and dies with the session, so a sync
 * still unwinding on a dead socket can never stand in for the next session's restore. `sync()` is
 * serialized and coalescing: callers arriving mid-sync share one more pass, so every desired channel
 * is subscribed exactly once per session (batched by the venue adapter).
 */
export class SessionSubscriptions {
  readonly sequences = new SequenceTracker();
  private readonly subscribed = new Set<string>();
  /** Channels the venue refused; not retried until the next session. */
  private readonly refused = new Set<string>();
  /** Channels to unsubscribe and subscribe again (a sequence gap). */
  private readonly resync = new Set<string>();
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly session: VenueSession,
    private readonly registry: SubscriptionRegistry,
    /** The venue would not subscribe this channel; called once per channel per session. */
    private readonly onRefused: (channel: string) => void,
  ) {}

  get size(): number {
    return this.subscribed.size;
  }

  channels(): string[] {
    return [...this.subscribed];
  }

  markForResync(channel: string): void {
    this.resync.add(channel);
  }

  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.pass();
    } while (this.again);
  }

  private async pass(): Promise<void> {
    const resync = [...this.resync].filter((c) => this.subscribed.has(c));
    this.resync.clear();
    if (resync.length > 0) {
      for (const channel of resync) this.subscribed.delete(channel);
      await this.session.unsubscribe(resync);
    }
    const toRemove = [...this.subscribed].filter((c) => !this.registry.has(c));
    if (toRemove.length > 0) {
      for (const channel of toRemove) {
        this.subscribed.delete(channel);
        this.sequences.reset(channel);
      }
      await this.session.unsubscribe(toRemove);
    }
    const toAdd = this.registry.desired().filter((c) => !this.subscribed.has(c) && !this.refused.has(c));
    if (toAdd.length === 0) return;
    for (const channel of toAdd) this.subscribed.add(channel);
    const accepted = new Set(await this.session.subscribe(toAdd));
    for (const channel of toAdd) {
      if (accepted.has(channel)) continue;
      this.subscribed.delete(channel);
      this.refused.add(channel);
      this.onRefused(channel);
    }
  }
}

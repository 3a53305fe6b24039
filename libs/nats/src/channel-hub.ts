import type { Subscriber } from 'rxjs';

interface Consumer {
  subscriber: Subscriber<unknown>;
  /** A book consumer that must not see a change before its next snapshot. */
  waiting: boolean;
}

/**
 * The local consumers of one channel, fed by whichever source this replica has right now (its own
 * session as owner, NATS as standby). It outlives every source, so a consumer's stream never
 * completes on a failover. For a sequenced channel (a book) a consumer that joins late, or every
 * consumer after a gap, gets nothing until the next snapshot, as in the single-process path.
 */
export class ChannelHub {
  private consumers: Consumer[] = [];
  /** A source has delivered at least once (a book consumer joining now is late). */
  private live = false;

  constructor(readonly sequenced: boolean) {}

  get size(): number {
    return this.consumers.length;
  }

  /** Returns whether the new consumer must wait for a snapshot (the caller asks the owner for one). */
  add(subscriber: Subscriber<unknown>): boolean {
    const waiting = this.sequenced && this.live;
    this.consumers = [...this.consumers, { subscriber, waiting }];
    return waiting;
  }

  remove(subscriber: Subscriber<unknown>): void {
    this.consumers = this.consumers.filter((c) => c.subscriber !== subscriber);
  }

  /** Delivers to every consumer that may see it; returns how many did. */
  deliver(data: unknown, isSnapshot: boolean): number {
    this.live = true;
    let delivered = 0;
    for (const consumer of this.consumers) {
      if (consumer.waiting) {
        if (!isSnapshot) continue;
        consumer.waiting = false;
      }
      consumer.subscriber.next(data);
      delivered += 1;
    }
    return delivered;
  }

  /** A gap, or a new source that starts mid-stream: hold every book consumer until a snapshot. */
  hold(): void {
    if (!this.sequenced) return;
    for (const consumer of this.consumers) consumer.waiting = true;
  }

  /** A new source will start with a snapshot of its own (a fresh session): nobody is late. */
  restart(): void {
    this.live = false;
  }

  fail(error: Error): void {
    const consumers = this.consumers;
    this.consumers = [];
    for (const consumer of consumers) consumer.subscriber.error(error);
  }

  complete(): void {
    const consumers = this.consumers;
    this.consumers = [];
    for (const consumer of consumers) consumer.subscriber.complete();
  }
}

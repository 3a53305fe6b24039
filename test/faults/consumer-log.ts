import type { RecordedConsumer } from './harness-checks.js';

/**
 * What every fault matrix's consumer records, per channel: counts, repeats by a key the venue never
 * repeats on that channel (`messageKey`), breaks in a sequence (`inspect`), stream errors and
 * completions. Each venue's log says only what its keys and sequences are.
 */
export abstract class RecordingConsumer implements RecordedConsumer {
  /** Channels this consumer watches. */
  readonly channels = new Set<string>();
  readonly received = new Map<string, number>();
  readonly duplicates: string[] = [];
  readonly continuityErrors: string[] = [];
  readonly errors: Array<{ channel: string; error: unknown }> = [];
  readonly completed = new Set<string>();
  private readonly keys = new Map<string, Set<string>>();

  constructor(readonly id: number) {}

  count(channel: string): number {
    return this.received.get(channel) ?? 0;
  }

  record(channel: string, message: unknown): void {
    this.received.set(channel, this.count(channel) + 1);
    this.inspect(channel, message);
    const key = this.messageKey(channel, message);
    if (key === undefined) return;
    let seen = this.keys.get(channel);
    if (seen === undefined) this.keys.set(channel, (seen = new Set()));
    if (seen.has(key)) this.duplicates.push(`consumer ${this.id} ${channel} ${key}`);
    seen.add(key);
  }

  /** Sequence checks of the venue (book chains, trade ids), before the repeat check. */
  protected abstract inspect(channel: string, message: unknown): void;

  /** A key the venue never repeats on `channel`, or undefined when the message has none. */
  protected abstract messageKey(channel: string, message: unknown): string | undefined;
}

/**
 * Everything one consumer of the Deribit connection received, per channel, with the checks that
 * prove no duplicate and no corrupt book reached it. A duplicate is judged by a key that the venue
 * makes unique per channel kind (see `messageKey`); messages without such a key (junk a fault
 * injected) are counted only.
 */
export class ConsumerLog extends RecordingConsumer {
  private readonly lastBookChangeId = new Map<string, number>();

  protected inspect(channel: string, data: unknown): void {
    if (isIncrementalBook(channel)) this.checkBook(channel, data);
  }

  protected messageKey(channel: string, data: unknown): string | undefined {
    return messageKey(channel, data);
  }

  /** Every change continues the message before it; a snapshot (new session or resync) restarts the chain. */
  private checkBook(channel: string, data: unknown): void {
    if (!isRecord(data) || typeof data.change_id !== 'number') return;
    if (data.type === 'snapshot') {
      this.lastBookChangeId.set(channel, data.change_id);
      return;
    }
    const last = this.lastBookChangeId.get(channel);
    if (last === undefined) {
      this.continuityErrors.push(`consumer ${this.id} ${channel}: change ${data.change_id} before any snapshot`);
    } else if (data.prev_change_id !== last) {
      this.continuityErrors.push(`consumer ${this.id} ${channel}: prev_change_id ${String(data.prev_change_id)} after ${last}`);
    }
    this.lastBookChangeId.set(channel, data.change_id);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `book.{instrument}.{interval}`: the one channel kind chained by change_id/prev_change_id. */
export function isIncrementalBook(channel: string): boolean {
  const parts = channel.split('.');
  return parts[0] === 'book' && parts.length === 3;
}

/**
 * A key the venue never repeats on a channel: ticker = the whole tick (its timestamp alone may
 * repeat within a millisecond); incremental book = change_id of changes (a snapshot legitimately repeats the
 * last change_id, once per session); grouped book = change_id; trades = trade ids; user.orders =
 * order id + state (an order is reported once open and once closed).
 */
export function messageKey(channel: string, data: unknown): string | undefined {
  const kind = channel.split('.')[0];
  if (kind === 'trades' || (kind === 'user' && Array.isArray(data))) {
    if (!Array.isArray(data) || data.length === 0) return undefined;
    const ids = data.map((t: unknown) =>
      isRecord(t) ? String(t.trade_id ?? t.order_id ?? '') + String(t.order_state ?? '') : '',
    );
    return ids.every((id) => id !== '') ? ids.join(',') : undefined;
  }
  if (!isRecord(data)) return undefined;
  switch (kind) {
    case 'ticker':
      // The whole tick: two ticks of one instrument may share a millisecond (a burst, or feed
      // timers bunched behind a stall), but never every price and amount as well.
      return typeof data.timestamp === 'number' ? JSON.stringify(data) : undefined;
    case 'book':
      if (typeof data.change_id !== 'number') return undefined;
      if (isIncrementalBook(channel)) return data.type === 'change' ? `change|${data.change_id}` : undefined;
      return `grouped|${data.change_id}`;
    case 'user':
      return typeof data.order_id === 'string' ? `${data.order_id}|${String(data.order_state)}` : undefined;
    default:
      return undefined;
  }
}

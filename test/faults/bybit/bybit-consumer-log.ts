import { RecordingConsumer, isRecord } from '../consumer-log.js';

/**
 * Everything one consumer of a Bybit connection received, per topic, with the checks that prove no
 * duplicate and no broken book reached it. Messages are whole Bybit messages (topic, type, data).
 */
export class BybitConsumerLog extends RecordingConsumer {
  /** Book messages as delivered: `snapshot u` / `delta u`, for rows that look at the sequence. */
  readonly bookTrail = new Map<string, string[]>();
  private readonly lastU = new Map<string, number>();

  protected inspect(channel: string, message: unknown): void {
    if (channel.startsWith('orderbook.')) this.checkBook(channel, message);
  }

  protected messageKey(channel: string, message: unknown): string | undefined {
    return bybitMessageKey(channel, message);
  }

  /** A snapshot (re)starts the book; every delta moves `u` on by exactly one. */
  private checkBook(channel: string, message: unknown): void {
    if (!isRecord(message) || !isRecord(message.data) || typeof message.data.u !== 'number') return;
    const u = message.data.u;
    const trail = this.bookTrail.get(channel) ?? [];
    trail.push(`${String(message.type)} ${u}`);
    this.bookTrail.set(channel, trail.slice(-50));
    if (message.type === 'snapshot') {
      this.lastU.set(channel, u);
      return;
    }
    const last = this.lastU.get(channel);
    if (last === undefined) this.continuityErrors.push(`consumer ${this.id} ${channel}: delta ${u} before any snapshot`);
    else if (u !== last + 1) this.continuityErrors.push(`consumer ${this.id} ${channel}: delta ${u} after ${last}`);
    this.lastU.set(channel, u);
  }
}

/**
 * A key the venue never repeats on a topic: book and linear-ticker deltas by `u` / cross sequence
 * `cs` (a snapshot legitimately repeats the last one, once per subscription); trades by trade ids;
 * private topics by message `id`.
 */
export function bybitMessageKey(channel: string, message: unknown): string | undefined {
  if (!isRecord(message)) return undefined;
  const kind = channel.split('.')[0];
  if (kind === 'orderbook') {
    return message.type === 'delta' && isRecord(message.data) ? `delta|${String(message.data.u)}` : undefined;
  }
  if (kind === 'tickers') return message.type === 'delta' && typeof message.cs === 'number' ? `delta|${message.cs}` : undefined;
  if (kind === 'publicTrade') {
    if (!Array.isArray(message.data) || message.data.length === 0) return undefined;
    const ids = message.data.map((t: unknown) => (isRecord(t) && typeof t.i === 'string' ? t.i : ''));
    return ids.every((i) => i !== '') ? ids.join(',') : undefined;
  }
  return typeof message.id === 'string' ? message.id : undefined;
}

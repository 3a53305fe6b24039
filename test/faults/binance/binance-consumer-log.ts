import { isBinanceDiffDepth } from '@exchange-connection/core';
import type { RecordedConsumer } from '../harness-checks.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Everything one consumer of a Binance connection received, per channel, with the checks that prove
 * no duplicate and no broken book reached it. Messages are the venue's payloads (a stream's `data`,
 * a user data `event`) and, on diff depth streams, the adapter's `depthSnapshot`.
 */
export class BinanceConsumerLog implements RecordedConsumer {
  readonly channels = new Set<string>();
  readonly received = new Map<string, number>();
  readonly duplicates: string[] = [];
  readonly continuityErrors: string[] = [];
  readonly errors: Array<{ channel: string; error: unknown }> = [];
  readonly completed = new Set<string>();
  /** Trades skipped on a trade stream (`t` not one past the last): lost data, expected only across a rebuild. */
  readonly tradeGaps: string[] = [];
  private readonly lastTrade = new Map<string, number>();
  /** Book snapshots delivered per channel. */
  readonly snapshots = new Map<string, number>();
  private readonly keys = new Map<string, Set<string>>();
  private readonly lastU = new Map<string, number>();

  constructor(
    readonly id: number,
    private readonly flavour: 'spot' | 'futures' = 'spot',
  ) {}

  count(channel: string): number {
    return this.received.get(channel) ?? 0;
  }

  record(channel: string, message: unknown): void {
    this.received.set(channel, this.count(channel) + 1);
    if (isBinanceDiffDepth(channel)) this.checkBook(channel, message);
    if (channel.endsWith('@trade') && isRecord(message) && typeof message.t === 'number') {
      const last = this.lastTrade.get(channel);
      if (last !== undefined && message.t !== last + 1)
        this.tradeGaps.push(`consumer ${this.id} ${channel}: t ${message.t} after ${last}`);
      this.lastTrade.set(channel, message.t);
    }
    const key = binanceMessageKey(channel, message);
    if (key === undefined) return;
    let seen = this.keys.get(channel);
    if (seen === undefined) this.keys.set(channel, (seen = new Set()));
    if (seen.has(key)) this.duplicates.push(`consumer ${this.id} ${channel} ${key}`);
    seen.add(key);
  }

  /** A snapshot (re)starts the book; every update continues the last `u` (spot `U - 1`, futures `pu`). */
  private checkBook(channel: string, message: unknown): void {
    if (!isRecord(message) || typeof message.u !== 'number') {
      this.continuityErrors.push(`consumer ${this.id} ${channel}: unreadable book message`);
      return;
    }
    if (message.e === 'depthSnapshot') {
      this.snapshots.set(channel, (this.snapshots.get(channel) ?? 0) + 1);
      this.lastU.set(channel, message.u);
      return;
    }
    const last = this.lastU.get(channel);
    const prev = this.flavour === 'spot' ? Number(message.U) - 1 : Number(message.pu);
    if (last === undefined) this.continuityErrors.push(`consumer ${this.id} ${channel}: update ${message.u} before any snapshot`);
    else if (prev !== last) this.continuityErrors.push(`consumer ${this.id} ${channel}: update from ${prev} after ${last}`);
    this.lastU.set(channel, message.u);
  }
}

/**
 * A key the venue never repeats on a channel: book updates by `u` (a snapshot may repeat it once
 * per subscription), trades by `t`, book tickers by `u`, execution reports by their execution id.
 */
export function binanceMessageKey(channel: string, message: unknown): string | undefined {
  if (!isRecord(message)) return undefined;
  if (isBinanceDiffDepth(channel)) return message.e === 'depthUpdate' ? `update|${String(message.u)}` : undefined;
  const kind = channel.split('@')[1];
  if (kind === 'trade') return typeof message.t === 'number' ? `t|${message.t}` : undefined;
  if (kind === 'aggTrade') return typeof message.a === 'number' ? `a|${message.a}` : undefined;
  if (kind === 'bookTicker') return typeof message.u === 'number' ? `u|${message.u}` : undefined;
  if (message.e === 'executionReport' && typeof message.I === 'number') return `I|${message.I}`;
  return undefined;
}

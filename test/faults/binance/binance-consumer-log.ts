import { isBinanceDiffDepth } from '@exchange-connection/core';
import { RecordingConsumer, isRecord } from '../consumer-log.js';

/**
 * Everything one consumer of a Binance connection received, per channel, with the checks that prove
 * no duplicate and no broken book reached it. Messages are the venue's payloads (a stream's `data`,
 * a user data `event`) and, on diff depth streams, the adapter's `depthSnapshot`.
 */
export class BinanceConsumerLog extends RecordingConsumer {
  /** Trades skipped on a trade stream (`t` not one past the last): lost data, expected only across a rebuild. */
  readonly tradeGaps: string[] = [];
  private readonly lastTrade = new Map<string, number>();
  /** Book snapshots delivered per channel. */
  readonly snapshots = new Map<string, number>();
  private readonly lastU = new Map<string, number>();

  constructor(
    id: number,
    private readonly flavour: 'spot' | 'futures' = 'spot',
  ) {
    super(id);
  }

  protected inspect(channel: string, message: unknown): void {
    if (isBinanceDiffDepth(channel)) this.checkBook(channel, message);
    if (channel.endsWith('@trade') && isRecord(message) && typeof message.t === 'number') {
      const last = this.lastTrade.get(channel);
      if (last !== undefined && message.t !== last + 1)
        this.tradeGaps.push(`consumer ${this.id} ${channel}: t ${message.t} after ${last}`);
      this.lastTrade.set(channel, message.t);
    }
  }

  protected messageKey(channel: string, message: unknown): string | undefined {
    return binanceMessageKey(channel, message);
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
 * per subscription), trades by `t`, book tickers by `u`, execution reports by their execution id,
 * USDⓈ-M user data events by `E`.
 */
export function binanceMessageKey(channel: string, message: unknown): string | undefined {
  if (!isRecord(message)) return undefined;
  if (isBinanceDiffDepth(channel)) return message.e === 'depthUpdate' ? `update|${String(message.u)}` : undefined;
  const kind = channel.split('@')[1];
  if (kind === 'trade') return typeof message.t === 'number' ? `t|${message.t}` : undefined;
  if (kind === 'aggTrade') return typeof message.a === 'number' ? `a|${message.a}` : undefined;
  if (kind === 'bookTicker') return typeof message.u === 'number' ? `u|${message.u}` : undefined;
  if (message.e === 'executionReport' && typeof message.I === 'number') return `I|${message.I}`;
  // USDⓈ-M user data: the event time is unique along one account's stream (the test exchange's feed).
  if ((message.e === 'ORDER_TRADE_UPDATE' || message.e === 'ACCOUNT_UPDATE') && typeof message.E === 'number') {
    return `E|${message.E}`;
  }
  return undefined;
}

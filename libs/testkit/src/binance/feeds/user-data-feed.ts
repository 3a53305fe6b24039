import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import { pick, type Random } from '../../shared/feeds/prng.js';
import { quoteAssetOf } from './binance-instruments.js';
import { SimulatedOrders, type SimulatedOrder } from './simulated-orders.js';

/**
 * One account's spot user data: orders open (`executionReport` NEW), fill (TRADE/FILLED, followed
 * by an `outboundAccountPosition`) or cancel, and now and then a `balanceUpdate`. One event per
 * notification; the WebSocket API wraps it as `{subscriptionId, event}`.
 */
export class BinanceUserDataFeed implements FeedStream {
  private readonly orders: SimulatedOrders;
  private readonly balances = new Map<string, number>();
  private pendingPosition: string[] | undefined;
  private tradeId: number;
  private executionId: number;

  constructor(
    private readonly symbols: readonly string[],
    private readonly random: Random,
  ) {
    this.orders = new SimulatedOrders(symbols, 'spot', random, 4_000_000 + Math.floor(random() * 1_000_000), 100);
    this.tradeId = 90_000_000 + Math.floor(random() * 1_000_000);
    this.executionId = 8_000_000 + Math.floor(random() * 1_000_000);
  }

  openOrders(): number {
    return this.orders.size;
  }

  next(now: number): Record<string, unknown> {
    if (this.pendingPosition !== undefined) {
      const assets = this.pendingPosition;
      this.pendingPosition = undefined;
      return this.accountPosition(now, assets);
    }
    const roll = this.random();
    if (roll < 0.1) return this.balanceUpdate(now);
    if (this.orders.size > 0 && roll < 0.55) return this.close(now);
    return this.report(now, this.orders.place(now), 'NEW', 'NEW', 0);
  }

  private close(now: number): Record<string, unknown> {
    const { order, filled } = this.orders.settleOne();
    if (!filled) return this.report(now, order, 'CANCELED', 'CANCELED', 0);
    const base = order.profile.currency;
    const quote = quoteAssetOf(order.profile.name);
    const sign = order.side === 'BUY' ? 1 : -1;
    this.balances.set(base, (this.balances.get(base) ?? 10) + sign * order.qty);
    this.balances.set(quote, (this.balances.get(quote) ?? 100_000) - sign * order.qty * order.price);
    this.pendingPosition = [base, quote];
    return this.report(now, order, 'TRADE', 'FILLED', order.qty);
  }

  private report(now: number, order: SimulatedOrder, x: string, X: string, filled: number): Record<string, unknown> {
    const d = (value: number): string => value.toFixed(8);
    const trade = filled > 0;
    if (trade) this.tradeId += 1;
    this.executionId += 1;
    return {
      e: 'executionReport',
      E: now,
      s: order.profile.name,
      c: order.clientOrderId,
      S: order.side,
      o: 'LIMIT',
      f: 'GTC',
      q: d(order.qty),
      p: d(order.price),
      P: d(0),
      F: d(0),
      g: -1,
      C: '',
      x,
      X,
      r: 'NONE',
      i: order.orderId,
      l: d(filled),
      z: d(filled),
      L: d(trade ? order.price : 0),
      n: d(trade ? filled * order.price * 0.001 : 0),
      N: trade ? quoteAssetOf(order.profile.name) : null,
      T: now,
      t: trade ? this.tradeId : -1,
      I: this.executionId,
      w: X === 'NEW',
      m: false,
      M: false,
      O: order.createdAt,
      Z: d(filled * order.price),
      Y: d(filled * order.price),
      Q: d(0),
      W: order.createdAt,
      V: 'EXPIRE_MAKER',
    };
  }

  private accountPosition(now: number, assets: readonly string[]): Record<string, unknown> {
    return {
      e: 'outboundAccountPosition',
      E: now,
      u: now,
      B: assets.map((asset) => ({ a: asset, f: (this.balances.get(asset) ?? 0).toFixed(8), l: '0.00000000' })),
    };
  }

  private balanceUpdate(now: number): Record<string, unknown> {
    const asset = quoteAssetOf(pick(this.random, this.symbols));
    const delta = Math.round(this.random() * 1_000_00) / 100;
    this.balances.set(asset, (this.balances.get(asset) ?? 100_000) + delta);
    return { e: 'balanceUpdate', E: now, a: asset, d: delta.toFixed(8), T: now - 1 };
  }
}

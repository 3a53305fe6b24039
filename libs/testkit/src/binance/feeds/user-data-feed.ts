import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import { PriceWalk, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import { pick, type Random } from '../../shared/feeds/prng.js';
import { randomHex } from '../../shared/feeds/random-ids.js';
import { binanceProfile, quoteAssetOf } from './binance-instruments.js';

interface OpenOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly profile: InstrumentProfile;
  readonly side: 'BUY' | 'SELL';
  readonly price: number;
  readonly qty: number;
  readonly createdAt: number;
}

/**
 * One account's spot user data: orders open (`executionReport` NEW), fill (TRADE/FILLED, followed
 * by an `outboundAccountPosition`) or cancel, and now and then a `balanceUpdate`. One event per
 * notification; the WebSocket API wraps it as `{subscriptionId, event}`.
 */
export class BinanceUserDataFeed implements FeedStream {
  private readonly open = new Map<number, OpenOrder>();
  private readonly walks = new Map<string, PriceWalk>();
  private readonly balances = new Map<string, number>();
  private pendingPosition: string[] | undefined;
  private orderId: number;
  private tradeId: number;
  private executionId: number;

  constructor(
    private readonly symbols: readonly string[],
    private readonly random: Random,
  ) {
    this.orderId = 4_000_000 + Math.floor(random() * 1_000_000);
    this.tradeId = 90_000_000 + Math.floor(random() * 1_000_000);
    this.executionId = 8_000_000 + Math.floor(random() * 1_000_000);
  }

  openOrders(): number {
    return this.open.size;
  }

  next(now: number): Record<string, unknown> {
    if (this.pendingPosition !== undefined) {
      const assets = this.pendingPosition;
      this.pendingPosition = undefined;
      return this.accountPosition(now, assets);
    }
    const roll = this.random();
    if (roll < 0.1) return this.balanceUpdate(now);
    if (this.open.size > 0 && roll < 0.55) return this.close(now, pick(this.random, [...this.open.values()]));
    return this.place(now);
  }

  private place(now: number): Record<string, unknown> {
    const symbol = pick(this.random, this.symbols);
    const profile = binanceProfile(symbol, 'spot');
    const walk = this.walkFor(profile);
    this.orderId += 1;
    const order: OpenOrder = {
      orderId: this.orderId,
      clientOrderId: randomHex(this.random, 22),
      profile,
      side: this.random() < 0.5 ? 'BUY' : 'SELL',
      price: walk.step(),
      qty: walk.amount(100),
      createdAt: now,
    };
    this.open.set(order.orderId, order);
    return this.report(now, order, 'NEW', 'NEW', 0);
  }

  private close(now: number, order: OpenOrder): Record<string, unknown> {
    this.open.delete(order.orderId);
    if (this.random() < 0.4) return this.report(now, order, 'CANCELED', 'CANCELED', 0);
    const base = order.profile.currency;
    const quote = quoteAssetOf(order.profile.name);
    const sign = order.side === 'BUY' ? 1 : -1;
    this.balances.set(base, (this.balances.get(base) ?? 10) + sign * order.qty);
    this.balances.set(quote, (this.balances.get(quote) ?? 100_000) - sign * order.qty * order.price);
    this.pendingPosition = [base, quote];
    return this.report(now, order, 'TRADE', 'FILLED', order.qty);
  }

  private report(now: number, order: OpenOrder, x: string, X: string, filled: number): Record<string, unknown> {
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

  private walkFor(profile: InstrumentProfile): PriceWalk {
    let walk = this.walks.get(profile.name);
    if (walk === undefined) {
      walk = new PriceWalk(profile, this.random);
      this.walks.set(profile.name, walk);
    }
    return walk;
  }
}

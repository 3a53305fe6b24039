import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import { toDecimalText } from '../../shared/feeds/instrument-profile.js';
import type { Random } from '../../shared/feeds/prng.js';
import { quoteAssetOf } from './binance-instruments.js';
import { SimulatedOrders, type SimulatedOrder } from './simulated-orders.js';

/**
 * One account's USDⓈ-M user data (USDⓈ-M docs, "Event: Order Update" and "Event: Balance and
 * Position Update"): orders open (`ORDER_TRADE_UPDATE` x=NEW), fill (x=TRADE, X=FILLED, followed by
 * an `ACCOUNT_UPDATE` with the balance and the position, reason `ORDER`) or cancel. Raw events
 * `{e, E, T, …}`, as the `/private/ws` socket delivers them; `E` increases along the stream.
 */
export class BinanceFuturesUserDataFeed implements FeedStream {
  private readonly orders: SimulatedOrders;
  private readonly positions = new Map<string, number>();
  private wallet = 10_000;
  private pendingAccount: SimulatedOrder | undefined;
  private tradeId: number;
  private lastE = 0;

  constructor(
    symbols: readonly string[],
    private readonly random: Random,
  ) {
    this.orders = new SimulatedOrders(symbols, 'usdm', random, 8_000_000_000 + Math.floor(random() * 1_000_000), 10);
    this.tradeId = 5_000_000_000 + Math.floor(random() * 1_000_000);
  }

  openOrders(): number {
    return this.orders.size;
  }

  next(now: number): Record<string, unknown> {
    // Event times never repeat or go back on one stream, so a consumer can order by `E` (the docs' advice).
    const E = Math.max(now, this.lastE + 1);
    this.lastE = E;
    if (this.pendingAccount !== undefined) {
      const order = this.pendingAccount;
      this.pendingAccount = undefined;
      return this.accountUpdate(E, order);
    }
    if (this.orders.size > 0 && this.random() < 0.5) return this.close(E);
    return this.orderUpdate(E, this.orders.place(E), 'NEW', 'NEW', 0);
  }

  private close(E: number): Record<string, unknown> {
    const { order, filled } = this.orders.settleOne();
    if (!filled) return this.orderUpdate(E, order, 'CANCELED', 'CANCELED', 0);
    const sign = order.side === 'BUY' ? 1 : -1;
    this.positions.set(order.profile.name, (this.positions.get(order.profile.name) ?? 0) + sign * order.qty);
    this.wallet -= order.qty * order.price * 0.0004;
    this.pendingAccount = order;
    return this.orderUpdate(E, order, 'TRADE', 'FILLED', order.qty);
  }

  private orderUpdate(E: number, order: SimulatedOrder, x: string, X: string, filled: number): Record<string, unknown> {
    const price = (value: number): string => toDecimalText(value, order.profile.tickSize);
    const size = (value: number): string => toDecimalText(value, order.profile.amountStep);
    const trade = filled > 0;
    if (trade) this.tradeId += 1;
    return {
      e: 'ORDER_TRADE_UPDATE',
      E,
      T: E - 1,
      o: {
        s: order.profile.name,
        c: order.clientOrderId,
        S: order.side,
        o: 'LIMIT',
        f: 'GTC',
        q: size(order.qty),
        p: price(order.price),
        ap: trade ? price(order.price) : '0',
        sp: '0',
        x,
        X,
        i: order.orderId,
        l: size(filled),
        z: size(filled),
        L: trade ? price(order.price) : '0',
        N: quoteAssetOf(order.profile.name),
        n: trade ? (filled * order.price * 0.0004).toFixed(8) : '0',
        T: E - 1,
        t: trade ? this.tradeId : 0,
        b: '0',
        a: '0',
        m: false,
        R: false,
        wt: 'CONTRACT_PRICE',
        ot: 'LIMIT',
        ps: 'BOTH',
        cp: false,
        rp: '0',
        pP: false,
        si: 0,
        ss: 0,
        V: 'EXPIRE_TAKER',
        pm: 'NONE',
        gtd: 0,
      },
    };
  }

  private accountUpdate(E: number, order: SimulatedOrder): Record<string, unknown> {
    const asset = quoteAssetOf(order.profile.name);
    const amount = this.positions.get(order.profile.name) ?? 0;
    return {
      e: 'ACCOUNT_UPDATE',
      E,
      T: E - 1,
      a: {
        m: 'ORDER',
        B: [{ a: asset, wb: this.wallet.toFixed(8), cw: this.wallet.toFixed(8), bc: '0' }],
        P: [
          {
            s: order.profile.name,
            pa: toDecimalText(amount, order.profile.amountStep),
            ep: toDecimalText(order.price, order.profile.tickSize),
            bep: toDecimalText(order.price, order.profile.tickSize),
            cr: '0',
            up: '0',
            mt: 'cross',
            iw: '0',
            ps: 'BOTH',
            ma: asset,
          },
        ],
      },
    };
  }
}

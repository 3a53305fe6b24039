import { PriceWalk, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import { pick, type Random } from '../../shared/feeds/prng.js';
import { randomHex } from '../../shared/feeds/random-ids.js';
import { binanceProfile } from './binance-instruments.js';

/** A limit order resting on the simulated account's book. */
export interface SimulatedOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly profile: InstrumentProfile;
  readonly side: 'BUY' | 'SELL';
  readonly price: number;
  readonly qty: number;
  readonly createdAt: number;
}

/**
 * The open orders of one simulated Binance account, which both user data feeds (spot and USDⓈ-M)
 * report on: placed at a price walking per symbol, then cancelled or filled. What an event says
 * about them is each feed's own format.
 */
export class SimulatedOrders {
  private readonly open = new Map<number, SimulatedOrder>();
  private readonly walks = new Map<string, PriceWalk>();
  private orderId: number;

  constructor(
    private readonly symbols: readonly string[],
    private readonly product: 'spot' | 'usdm',
    private readonly random: Random,
    /** The last id before the first order's (ids count up from it). */
    lastOrderId: number,
    /** Largest order quantity, in the profile's amount steps (PriceWalk.amount). */
    private readonly maxQty: number,
  ) {
    this.orderId = lastOrderId;
  }

  get size(): number {
    return this.open.size;
  }

  /** A new order on a random symbol, at the symbol's next walked price. */
  place(now: number): SimulatedOrder {
    const profile = binanceProfile(pick(this.random, this.symbols), this.product);
    const walk = this.walkFor(profile);
    this.orderId += 1;
    const order: SimulatedOrder = {
      orderId: this.orderId,
      clientOrderId: randomHex(this.random, 22),
      profile,
      side: this.random() < 0.5 ? 'BUY' : 'SELL',
      price: walk.step(),
      qty: walk.amount(this.maxQty),
      createdAt: now,
    };
    this.open.set(order.orderId, order);
    return order;
  }

  /** One open order taken off the book: cancelled (40 %) or filled in full. */
  settleOne(): { order: SimulatedOrder; filled: boolean } {
    const order = pick(this.random, [...this.open.values()]);
    this.open.delete(order.orderId);
    return { order, filled: this.random() >= 0.4 };
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

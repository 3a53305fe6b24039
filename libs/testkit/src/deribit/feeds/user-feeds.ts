import type { FeedInterval } from '../channel-name.js';
import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import { PriceWalk, roundTo, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { Random } from '../../shared/feeds/prng.js';

interface OrderState {
  order_id: string;
  order_state: 'open' | 'filled' | 'cancelled';
  direction: 'buy' | 'sell';
  price: number;
  amount: number;
  filled_amount: number;
  average_price: number;
  creation_timestamp: number;
  last_update_timestamp: number;
}

/**
 * `user.orders.{instrument}.{interval}`: orders open, fill and cancel. `raw` carries one order per
 * notification, aggregated intervals an array (as Deribit does).
 */
export class UserOrdersFeed implements FeedStream {
  private readonly walk: PriceWalk;
  private readonly open = new Map<string, OrderState>();
  private orderSeq: number;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly random: Random,
    private readonly interval: FeedInterval,
  ) {
    this.walk = new PriceWalk(profile, random);
    this.orderSeq = 10_000_000_000 + Math.floor(random() * 1_000_000);
  }

  next(now: number): unknown {
    const order = this.open.size > 0 && this.random() < 0.4 ? this.closeOne(now) : this.openOne(now);
    const data = this.format(order);
    return this.interval === 'raw' ? data : [data];
  }

  openOrders(): number {
    return this.open.size;
  }

  private openOne(now: number): OrderState {
    this.orderSeq += 1;
    const order: OrderState = {
      order_id: `${this.profile.currency}-${this.orderSeq}`,
      order_state: 'open',
      direction: this.random() < 0.5 ? 'buy' : 'sell',
      price: this.walk.step(),
      amount: this.walk.amount(10),
      filled_amount: 0,
      average_price: 0,
      creation_timestamp: now,
      last_update_timestamp: now,
    };
    this.open.set(order.order_id, order);
    return order;
  }

  private closeOne(now: number): OrderState {
    const ids = [...this.open.keys()];
    const id = ids[Math.floor(this.random() * ids.length)] ?? ids[0];
    const order = this.open.get(id ?? '');
    if (order === undefined) return this.openOne(now);
    this.open.delete(order.order_id);
    const filled = this.random() < 0.6;
    order.order_state = filled ? 'filled' : 'cancelled';
    order.filled_amount = filled ? order.amount : 0;
    order.average_price = filled ? order.price : 0;
    order.last_update_timestamp = now;
    return order;
  }

  private format(order: OrderState): Record<string, unknown> {
    return {
      ...order,
      instrument_name: this.profile.name,
      order_type: 'limit',
      time_in_force: 'good_til_cancelled',
      label: '',
      max_show: order.amount,
      post_only: false,
      reduce_only: false,
      replaced: false,
      api: true,
      web: false,
      mmp: false,
      is_liquidation: false,
      risk_reducing: false,
      commission: roundTo(order.filled_amount * 0.0000005, 1e-8),
    };
  }
}

/** `user.trades.{instrument}.{interval}`: the account's own fills. */
export class UserTradesFeed implements FeedStream {
  private readonly walk: PriceWalk;
  private tradeSeq: number;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly random: Random,
  ) {
    this.walk = new PriceWalk(profile, random);
    this.tradeSeq = 50_000 + Math.floor(random() * 50_000);
  }

  next(now: number): Array<Record<string, unknown>> {
    this.tradeSeq += 1;
    const price = this.walk.step();
    return [
      {
        trade_seq: this.tradeSeq,
        trade_id: String(300_000_000 + this.tradeSeq),
        timestamp: now,
        tick_direction: this.random() < 0.5 ? 0 : 2,
        state: 'filled',
        reduce_only: false,
        post_only: false,
        order_type: 'limit',
        order_id: `${this.profile.currency}-${20_000_000_000 + this.tradeSeq}`,
        matching_id: null,
        liquidity: this.random() < 0.5 ? 'M' : 'T',
        price,
        mark_price: price,
        index_price: price,
        instrument_name: this.profile.name,
        direction: this.random() < 0.5 ? 'buy' : 'sell',
        amount: this.walk.amount(10),
        fee: 0,
        fee_currency: this.profile.currency,
      },
    ];
  }
}

/** `user.portfolio.{currency}`: balances drifting slightly per notification. */
export class UserPortfolioFeed implements FeedStream {
  private equity: number;

  constructor(
    private readonly currency: string,
    private readonly random: Random,
  ) {
    this.equity = roundTo(10 + random() * 90, 1e-8);
  }

  next(): Record<string, unknown> {
    this.equity = roundTo(Math.max(0, this.equity * (1 + (this.random() - 0.5) * 0.001)), 1e-8);
    const initialMargin = roundTo(this.equity * 0.05, 1e-8);
    const maintenanceMargin = roundTo(this.equity * 0.03, 1e-8);
    const sessionUpl = roundTo((this.random() - 0.5) * 0.01, 1e-8);
    return {
      currency: this.currency,
      equity: this.equity,
      balance: this.equity,
      margin_balance: this.equity,
      available_funds: roundTo(this.equity - initialMargin, 1e-8),
      available_withdrawal_funds: roundTo(this.equity - initialMargin, 1e-8),
      initial_margin: initialMargin,
      maintenance_margin: maintenanceMargin,
      projected_initial_margin: initialMargin,
      projected_maintenance_margin: maintenanceMargin,
      total_pl: sessionUpl,
      session_upl: sessionUpl,
      session_rpl: 0,
      futures_pl: sessionUpl,
      futures_session_upl: sessionUpl,
      futures_session_rpl: 0,
      options_pl: 0,
      options_session_upl: 0,
      options_session_rpl: 0,
      options_value: 0,
      delta_total: 0,
      projected_delta_total: 0,
      fee_balance: 0,
      estimated_liquidation_ratio: 0,
      margin_model: 'segregated_sm',
      portfolio_margining_enabled: false,
      cross_collateral_enabled: false,
    };
  }
}

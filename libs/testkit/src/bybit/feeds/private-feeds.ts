import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import { PriceWalk, roundTo, toDecimalText, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';
import type { Random } from '../../shared/feeds/prng.js';
import { pick } from '../../shared/feeds/prng.js';
import { randomHex, randomUuid } from '../../shared/feeds/random-ids.js';
import type { PrivateCategory } from '../bybit-topics.js';
import { bybitProfile } from './bybit-instruments.js';

/** What every private stream shares: the topic it answers to and the instruments it trades. */
interface PrivateFeedContext {
  readonly topic: string;
  /** The categorised topic's category; undefined for the all-in-one topic (both categories). */
  readonly category: PrivateCategory | undefined;
  readonly symbols: readonly string[];
  readonly random: Random;
}

function messageId(random: Random): string {
  return `${randomHex(random, 14)}-${randomUuid(random)}`;
}

abstract class PrivateFeed implements FeedStream {
  private readonly walks = new Map<string, PriceWalk>();

  constructor(protected readonly ctx: PrivateFeedContext) {}

  abstract next(now: number): unknown;

  protected instrument(categories: readonly PrivateCategory[]): {
    category: PrivateCategory;
    profile: InstrumentProfile;
    walk: PriceWalk;
  } {
    const category = this.ctx.category ?? pick(this.ctx.random, categories);
    const symbol = pick(this.ctx.random, this.ctx.symbols);
    const profile = bybitProfile(symbol, category);
    const key = `${category}:${symbol}`;
    let walk = this.walks.get(key);
    if (walk === undefined) {
      walk = new PriceWalk(profile, this.ctx.random);
      this.walks.set(key, walk);
    }
    return { category, profile, walk };
  }
}

interface OpenOrder {
  readonly orderId: string;
  readonly category: PrivateCategory;
  readonly profile: InstrumentProfile;
  readonly side: 'Buy' | 'Sell';
  readonly price: number;
  readonly qty: number;
  readonly createdTime: number;
}

/** `order` / `order.{category}`: orders open, fill or cancel; one order per message. */
class BybitOrderFeed extends PrivateFeed {
  private readonly open = new Map<string, OpenOrder>();

  next(now: number): Record<string, unknown> {
    const random = this.ctx.random;
    let order: OpenOrder;
    let status: 'New' | 'Filled' | 'Cancelled';
    const closing = this.open.size > 0 && random() < 0.4 ? pick(random, [...this.open.values()]) : undefined;
    if (closing !== undefined) {
      this.open.delete(closing.orderId);
      order = closing;
      status = random() < 0.6 ? 'Filled' : 'Cancelled';
    } else {
      const { category, profile, walk } = this.instrument(['spot', 'linear']);
      order = {
        orderId: randomUuid(random),
        category,
        profile,
        side: random() < 0.5 ? 'Buy' : 'Sell',
        price: walk.step(),
        qty: walk.amount(10),
        createdTime: now,
      };
      this.open.set(order.orderId, order);
      status = 'New';
    }
    return { id: messageId(random), topic: this.ctx.topic, creationTime: now, data: [this.format(order, status, now)] };
  }

  openOrders(): number {
    return this.open.size;
  }

  private format(order: OpenOrder, status: 'New' | 'Filled' | 'Cancelled', now: number): Record<string, unknown> {
    const { tickSize, amountStep } = order.profile;
    const filled = status === 'Filled' ? order.qty : 0;
    const price = toDecimalText(order.price, tickSize);
    const value = roundTo(filled * order.price, 0.0001);
    const data: Record<string, unknown> = {
      category: order.category,
      symbol: order.profile.name,
      orderId: order.orderId,
      orderLinkId: '',
      blockTradeId: '',
      isLeverage: '0',
      side: order.side,
      orderType: 'Limit',
      price,
      qty: toDecimalText(order.qty, amountStep),
      timeInForce: 'GTC',
      orderStatus: status,
      cancelType: status === 'Cancelled' ? 'CancelByUser' : 'UNKNOWN',
      rejectReason: 'EC_NoError',
      avgPrice: filled > 0 ? price : '',
      leavesQty: toDecimalText(status === 'New' ? order.qty : 0, amountStep),
      leavesValue: status === 'New' ? (order.qty * order.price).toFixed(4) : '0',
      cumExecQty: toDecimalText(filled, amountStep),
      cumExecValue: value.toFixed(4),
      cumExecFee: (value * 0.00055).toFixed(8),
      closedPnl: '0',
      feeCurrency: '',
      positionIdx: 0,
      triggerPrice: '',
      takeProfit: '',
      stopLoss: '',
      tpslMode: '',
      reduceOnly: false,
      closeOnTrigger: false,
      smpType: 'None',
      smpGroup: 0,
      smpOrderId: '',
      cumFeeDetail: filled > 0 ? { USDT: (value * 0.00055).toFixed(8) } : {},
      createdTime: String(order.createdTime),
      updatedTime: String(now),
    };
    // Docs: spot orders have no createType.
    if (order.category !== 'spot') data.createType = 'CreateByUser';
    return data;
  }
}

/** `execution` / `execution.{category}`: the account's fills, one per message. */
class BybitExecutionFeed extends PrivateFeed {
  private seq = 100_000_000_000;

  next(now: number): Record<string, unknown> {
    const random = this.ctx.random;
    const { category, profile, walk } = this.instrument(['spot', 'linear']);
    const price = walk.step();
    const qty = walk.amount(10);
    const value = roundTo(price * qty, 0.0001);
    this.seq += 1 + Math.floor(random() * 100);
    const isMaker = random() < 0.5;
    const execution: Record<string, unknown> = {
      category,
      symbol: profile.name,
      closedSize: '0',
      execFee: (value * (isMaker ? 0.0002 : 0.00055)).toFixed(8),
      execId: randomUuid(random),
      execPrice: toDecimalText(price, profile.tickSize),
      execQty: toDecimalText(qty, profile.amountStep),
      execType: 'Trade',
      execValue: value.toFixed(4),
      feeRate: isMaker ? '0.0002' : '0.00055',
      leavesQty: '0',
      orderId: randomUuid(random),
      orderLinkId: '',
      orderPrice: toDecimalText(price, profile.tickSize),
      orderQty: toDecimalText(qty, profile.amountStep),
      orderType: 'Limit',
      stopOrderType: 'UNKNOWN',
      side: random() < 0.5 ? 'Buy' : 'Sell',
      execTime: String(now),
      isLeverage: '0',
      isMaker,
      seq: this.seq,
      execPnl: '0',
      feeCurrency: category === 'spot' ? profile.currency : 'USDT',
    };
    if (category !== 'spot') execution.createType = 'CreateByUser';
    return { topic: this.ctx.topic, id: messageId(random), creationTime: now, data: [execution] };
  }
}

/** `position` / `position.linear`: one linear position per message, size drifting. */
class BybitPositionFeed extends PrivateFeed {
  private readonly sizes = new Map<string, number>();
  private seq = 8_000_000_000;

  next(now: number): Record<string, unknown> {
    const random = this.ctx.random;
    const { profile, walk } = this.instrument(['linear']);
    const mark = walk.step();
    const size = Math.max(
      0,
      roundTo((this.sizes.get(profile.name) ?? 0) + (random() - 0.4) * 10 * profile.amountStep, profile.amountStep),
    );
    this.sizes.set(profile.name, size);
    this.seq += 1 + Math.floor(random() * 100);
    const value = roundTo(size * mark, 0.01);
    return {
      id: messageId(random),
      topic: this.ctx.topic,
      creationTime: now,
      data: [
        {
          positionIdx: 0,
          tradeMode: 0,
          riskId: 1,
          riskLimitValue: '2000000',
          symbol: profile.name,
          side: size > 0 ? 'Buy' : '',
          size: toDecimalText(size, profile.amountStep),
          entryPrice: size > 0 ? toDecimalText(mark, profile.tickSize) : '0',
          leverage: '10',
          positionValue: value.toFixed(2),
          positionBalance: '0',
          markPrice: toDecimalText(mark, profile.tickSize),
          positionIM: (value / 10).toFixed(8),
          positionMM: (value / 200).toFixed(8),
          takeProfit: '0',
          stopLoss: '0',
          trailingStop: '0',
          unrealisedPnl: '0',
          curRealisedPnl: '0',
          cumRealisedPnl: '0',
          sessionAvgPrice: '0',
          createdTime: String(now - 60_000),
          updatedTime: String(now),
          tpslMode: 'Full',
          liqPrice: '',
          bustPrice: '',
          category: 'linear',
          positionStatus: 'Normal',
          adlRankIndicator: size > 0 ? 2 : 0,
          autoAddMargin: 0,
          leverageSysUpdatedTime: '',
          mmrSysUpdatedTime: '',
          seq: this.seq,
          isReduceOnly: false,
        },
      ],
    };
  }
}

/** `wallet`: the unified account's balances drifting slightly per message (no snapshot on subscribe, as documented). */
class BybitWalletFeed implements FeedStream {
  private equity: number;

  constructor(
    private readonly topic: string,
    private readonly random: Random,
  ) {
    this.equity = roundTo(5_000 + random() * 10_000, 0.00000001);
  }

  next(now: number): Record<string, unknown> {
    this.equity = roundTo(this.equity * (1 + (this.random() - 0.5) * 0.001), 0.00000001);
    const equity = this.equity.toFixed(8);
    return {
      id: messageId(this.random),
      topic: this.topic,
      creationTime: now,
      data: [
        {
          accountIMRate: '0',
          accountMMRate: '0',
          totalEquity: equity,
          totalWalletBalance: equity,
          totalMarginBalance: equity,
          totalAvailableBalance: equity,
          totalPerpUPL: '0',
          totalInitialMargin: '0',
          totalMaintenanceMargin: '0',
          coin: [
            {
              coin: 'USDT',
              equity,
              usdValue: equity,
              walletBalance: equity,
              locked: '0',
              spotHedgingQty: '0',
              borrowAmount: '0',
              accruedInterest: '0',
              totalOrderIM: '0',
              totalPositionIM: '0',
              totalPositionMM: '0',
              unrealisedPnl: '0',
              cumRealisedPnl: '0',
              bonus: '0',
              collateralSwitch: true,
              marginCollateral: true,
              spotBorrow: '0',
            },
          ],
          accountType: 'UNIFIED',
        },
      ],
    };
  }
}

export function createPrivateFeed(kind: 'order' | 'execution' | 'position' | 'wallet', ctx: PrivateFeedContext): FeedStream {
  switch (kind) {
    case 'order':
      return new BybitOrderFeed(ctx);
    case 'execution':
      return new BybitExecutionFeed(ctx);
    case 'position':
      return new BybitPositionFeed(ctx);
    case 'wallet':
      return new BybitWalletFeed(ctx.topic, ctx.random);
  }
}

import type { Random } from './prng.js';

/** Static facts a feed needs about an instrument: where prices start and how they are ticked. */
export interface InstrumentProfile {
  readonly name: string;
  /** Deribit: the settlement currency; Bybit/Binance: the base asset. */
  readonly currency: string;
  readonly perpetual: boolean;
  readonly startPrice: number;
  readonly tickSize: number;
  /** Size step of amounts and quantities (USD contracts for inverse perpetuals). */
  readonly amountStep: number;
}

/** Where synthetic prices start, per base asset; anything else starts at 100. */
const START_PRICES: Readonly<Record<string, number>> = { BTC: 60_000, ETH: 3_000, SOL: 150 };

export function startPriceOf(asset: string): number {
  return START_PRICES[asset] ?? 100;
}

/** The tick a venue would list for an instrument around this price. */
export function tickSizeFor(startPrice: number): number {
  return startPrice >= 10_000 ? 0.5 : startPrice >= 1_000 ? 0.05 : 0.01;
}

function decimalsOf(step: number): number {
  return Math.max(0, Math.ceil(-Math.log10(step)));
}

export function roundTo(value: number, step: number): number {
  const decimals = decimalsOf(step);
  return Number((Math.round(value / step) * step).toFixed(decimals));
}

/** A price or size as the venues that send decimals as strings write it: fixed to the step's decimals. */
export function toDecimalText(value: number, step: number): string {
  return value.toFixed(decimalsOf(step));
}

/** A bounded random walk of a mid price, one step per generated message. */
export class PriceWalk {
  private mid: number;

  constructor(
    private readonly profile: InstrumentProfile,
    private readonly random: Random,
  ) {
    this.mid = profile.startPrice;
  }

  step(): number {
    const drift = (this.random() - 0.5) * this.profile.startPrice * 0.0004;
    const floor = this.profile.startPrice * 0.5;
    this.mid = Math.max(floor, this.mid + drift);
    return this.price();
  }

  price(): number {
    return roundTo(this.mid, this.profile.tickSize);
  }

  amount(maxSteps = 50): number {
    return roundTo((1 + Math.floor(this.random() * maxSteps)) * this.profile.amountStep, this.profile.amountStep);
  }
}

import { currencyOf } from '../channel-name.js';
import type { Random } from './prng.js';

/** Static facts a feed needs about an instrument: where prices start and how they are ticked. */
export interface InstrumentProfile {
  readonly name: string;
  readonly currency: string;
  readonly perpetual: boolean;
  readonly startPrice: number;
  readonly tickSize: number;
  /** Contract size step for amounts (USD for inverse perpetuals). */
  readonly amountStep: number;
}

const START_PRICES: Readonly<Record<string, number>> = { BTC: 60_000, ETH: 3_000, SOL: 150 };

export function instrumentProfile(name: string): InstrumentProfile {
  const currency = currencyOf(name.split('_')[0] ?? name);
  const startPrice = START_PRICES[currency] ?? 100;
  return {
    name,
    currency,
    perpetual: name.endsWith('-PERPETUAL'),
    startPrice,
    tickSize: startPrice >= 10_000 ? 0.5 : startPrice >= 1_000 ? 0.05 : 0.01,
    amountStep: currency === 'BTC' ? 10 : 1,
  };
}

export function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step)));
  return Number((Math.round(value / step) * step).toFixed(decimals));
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

import { currencyOf } from '../channel-name.js';
import { startPriceOf, tickSizeFor, type InstrumentProfile } from '../../shared/feeds/instrument-profile.js';

/** A Deribit instrument's profile: inverse BTC perpetuals trade in USD 10 contracts. */
export function instrumentProfile(name: string): InstrumentProfile {
  const currency = currencyOf(name.split('_')[0] ?? name);
  const startPrice = startPriceOf(currency);
  return {
    name,
    currency,
    perpetual: name.endsWith('-PERPETUAL'),
    startPrice,
    tickSize: tickSizeFor(startPrice),
    amountStep: currency === 'BTC' ? 10 : 1,
  };
}

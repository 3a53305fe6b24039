/** Channel names this exchange serves, parsed. Anything else is "unknown" and left out of results. */
export type FeedInterval = '100ms' | 'agg2' | 'raw';

export type ParsedChannel =
  | { kind: 'ticker' | 'book' | 'trades' | 'user.orders' | 'user.trades'; instrument: string; interval: FeedInterval }
  | { kind: 'book.grouped'; instrument: string; group: string; depth: number; interval: FeedInterval }
  | { kind: 'user.portfolio'; currency: string };

const INTERVALS: readonly string[] = ['100ms', 'agg2', 'raw'];
const BOOK_GROUPS: readonly string[] = ['none', '1', '2', '5', '10', '25', '100', '250'];
const BOOK_DEPTHS: readonly number[] = [1, 10, 20];

function isInterval(value: string | undefined): value is FeedInterval {
  return value !== undefined && INTERVALS.includes(value);
}

/** `BTC-PERPETUAL` → `BTC`; `BTC_USDC-PERPETUAL` → `USDC` (linear instruments settle in the quote). */
export function currencyOf(instrument: string): string {
  const [pair = instrument] = instrument.split('-');
  const [base, quote] = pair.split('_');
  return (quote ?? base ?? pair).toUpperCase();
}

export function isPrivateChannel(name: string): boolean {
  return name.startsWith('user.');
}

export function parseChannel(name: string, instruments: readonly string[]): ParsedChannel | undefined {
  const parts = name.split('.');
  const known = (instrument: string | undefined): instrument is string =>
    instrument !== undefined && instruments.includes(instrument);
  const [head, second, third, fourth, fifth] = parts;
  switch (head) {
    case 'ticker':
    case 'trades':
      if (parts.length === 3 && known(second) && isInterval(third)) {
        return { kind: head, instrument: second, interval: third };
      }
      return undefined;
    case 'book':
      if (parts.length === 3 && known(second) && isInterval(third)) {
        return { kind: 'book', instrument: second, interval: third };
      }
      if (
        parts.length === 5 &&
        known(second) &&
        third !== undefined &&
        BOOK_GROUPS.includes(third) &&
        BOOK_DEPTHS.includes(Number(fourth)) &&
        (fifth === '100ms' || fifth === 'agg2')
      ) {
        return { kind: 'book.grouped', instrument: second, group: third, depth: Number(fourth), interval: fifth };
      }
      return undefined;
    case 'user': {
      if ((second === 'orders' || second === 'trades') && parts.length === 4 && known(third) && isInterval(fourth)) {
        return { kind: second === 'orders' ? 'user.orders' : 'user.trades', instrument: third, interval: fourth };
      }
      if (second === 'portfolio' && parts.length === 3 && third !== undefined) {
        const currency = third.toUpperCase();
        const currencies = new Set(instruments.map(currencyOf));
        if (currency === 'ANY' || currencies.has(currency)) return { kind: 'user.portfolio', currency };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

export function isRawChannel(channel: ParsedChannel): boolean {
  return 'interval' in channel && channel.interval === 'raw';
}

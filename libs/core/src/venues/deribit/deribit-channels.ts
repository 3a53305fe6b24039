import { ExchangeConnectionError } from '../../client/errors.js';

/** Notification intervals of Deribit's market-data channels; `raw` needs an authenticated session. */
export type DeribitInterval = 'raw' | '100ms' | 'agg2';

/** Price grouping of `book.{instr}.{group}.{depth}.{interval}` (docs: BTC none/1/2/5/10, ETH none/5/10/25/100/250). */
export type DeribitBookGroup = 'none' | '1' | '2' | '5' | '10' | '25' | '100' | '250';

/** Levels of the grouped book (docs: 1, 10, 20). */
export type DeribitBookDepth = 1 | 10 | 20;

/** `user.orders`/`user.trades` by kind and currency instead of one instrument. */
export interface DeribitKindCurrency {
  kind: 'future' | 'option' | 'spot' | 'future_combo' | 'option_combo' | 'combo' | 'any';
  currency: string;
}

const INTERVALS: ReadonlySet<string> = new Set<DeribitInterval>(['raw', '100ms', 'agg2']);
const GROUPS: ReadonlySet<string> = new Set<DeribitBookGroup>(['none', '1', '2', '5', '10', '25', '100', '250']);
const DEPTHS: ReadonlySet<number> = new Set<DeribitBookDepth>([1, 10, 20]);
const KINDS: ReadonlySet<string> = new Set(['future', 'option', 'spot', 'future_combo', 'option_combo', 'combo', 'any']);

// Deribit writes decimals in instrument names as `d` (XRP_USDC-27DEC24-0d5-C), so a dot never
// belongs to a name; allowing one would make a channel name ambiguous.
const INSTRUMENT = /^[A-Za-z0-9_-]{1,64}$/;
const CURRENCY = /^[A-Za-z0-9_]{1,16}$/;

export function isDeribitInterval(value: string): value is DeribitInterval {
  return INTERVALS.has(value);
}

export function assertDeribitInstrument(instrument: string): string {
  if (!INSTRUMENT.test(instrument)) throw invalid(`Deribit instrument name "${printable(instrument)}" is not valid`);
  return instrument;
}

export function assertDeribitInterval(interval: string): DeribitInterval {
  if (!isDeribitInterval(interval)) {
    throw invalid(`Deribit interval "${printable(interval)}" is not one of raw, 100ms, agg2`);
  }
  return interval;
}

function assertCurrency(currency: string): string {
  if (!CURRENCY.test(currency)) throw invalid(`Deribit currency "${printable(currency)}" is not valid`);
  return currency;
}

function instrumentOrKind(target: string | DeribitKindCurrency): string {
  if (typeof target === 'string') return assertDeribitInstrument(target);
  if (!KINDS.has(target.kind)) throw invalid(`Deribit instrument kind "${printable(target.kind)}" is not valid`);
  return `${target.kind}.${assertCurrency(target.currency)}`;
}

/** Channel-name builders; each validates its parts so a typo fails here, not as a silent venue error. */
export const deribitChannel = {
  ticker: (instrument: string, interval: DeribitInterval = '100ms'): string =>
    `ticker.${assertDeribitInstrument(instrument)}.${assertDeribitInterval(interval)}`,
  /** Incremental book: a snapshot, then changes chained by change_id/prev_change_id. */
  book: (instrument: string, interval: DeribitInterval = '100ms'): string =>
    `book.${assertDeribitInstrument(instrument)}.${assertDeribitInterval(interval)}`,
  /** Whole grouped snapshots each time; carries no sequence to check. */
  bookGrouped: (
    instrument: string,
    group: DeribitBookGroup,
    depth: DeribitBookDepth,
    interval: DeribitInterval = '100ms',
  ): string => {
    if (!GROUPS.has(group)) throw invalid(`Deribit book group "${printable(String(group))}" is not valid`);
    if (!DEPTHS.has(depth)) throw invalid(`Deribit book depth "${printable(String(depth))}" is not one of 1, 10, 20`);
    return `book.${assertDeribitInstrument(instrument)}.${group}.${depth}.${assertDeribitInterval(interval)}`;
  },
  trades: (instrument: string | DeribitKindCurrency, interval: DeribitInterval = '100ms'): string =>
    `trades.${instrumentOrKind(instrument)}.${assertDeribitInterval(interval)}`,
  userOrders: (target: string | DeribitKindCurrency, interval: DeribitInterval = 'raw'): string =>
    `user.orders.${instrumentOrKind(target)}.${assertDeribitInterval(interval)}`,
  userTrades: (target: string | DeribitKindCurrency, interval: DeribitInterval = 'raw'): string =>
    `user.trades.${instrumentOrKind(target)}.${assertDeribitInterval(interval)}`,
  userPortfolio: (currency: string): string => `user.portfolio.${assertCurrency(currency)}`,
} as const;

// Channels whose `raw` interval the docs reserve for authorized users.
const RAW_NEEDS_AUTH: ReadonlySet<string> = new Set(['ticker', 'book', 'trades', 'perpetual', 'incremental_ticker']);

/**
 * Private channels must go through `private/subscribe` on an authenticated session: every `user.*`
 * channel, and the `raw` interval of market-data channels ("raw interval is only available to
 * authorized users").
 */
export function isDeribitPrivateChannel(channel: string): boolean {
  if (channel.startsWith('user.')) return true;
  const parts = channel.split('.');
  return parts.length >= 3 && parts[parts.length - 1] === 'raw' && RAW_NEEDS_AUTH.has(parts[0] ?? '');
}

function invalid(message: string): ExchangeConnectionError {
  return new ExchangeConnectionError('INVALID_CONFIG', message);
}

// Echo user input in an error only in a bounded, printable form.
function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}

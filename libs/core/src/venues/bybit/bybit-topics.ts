import { ExchangeConnectionError } from '../../client/errors.js';

/**
 * The Bybit v5 stream endpoints this adapter speaks: public spot and linear (USDT/USDC perpetuals
 * and futures), and private (`/v5/private`). Each is its own socket and its own connection.
 */
export type BybitMarket = 'spot' | 'linear' | 'private';

export const BYBIT_MARKETS: readonly BybitMarket[] = ['spot', 'linear', 'private'];

/** Book depths of spot and linear (docs: orderbook, "Depths"). */
export type BybitBookDepth = 1 | 50 | 200 | 1000;
const BOOK_DEPTHS: ReadonlySet<number> = new Set<BybitBookDepth>([1, 50, 200, 1000]);

/** Categories of the categorised private topics (`order.linear`). */
export type BybitCategory = 'spot' | 'linear' | 'inverse' | 'option';

const PRIVATE_KINDS = ['order', 'execution', 'position', 'wallet', 'greeks', 'dcp'] as const;
export type BybitPrivateKind = (typeof PRIVATE_KINDS)[number];
const PRIVATE_KIND_SET: ReadonlySet<string> = new Set(PRIVATE_KINDS);

// Docs (order, execution, position pages): the categories each categorised topic accepts. Spot has
// no positions; wallet has no categorised topic.
const CATEGORIES: Readonly<Record<'order' | 'execution' | 'position', ReadonlySet<BybitCategory>>> = {
  order: new Set(['spot', 'linear', 'inverse', 'option']),
  execution: new Set(['spot', 'linear', 'inverse', 'option']),
  position: new Set(['linear', 'inverse', 'option']),
};

// Upper-case letters and digits, groups joined by '-' (BTCUSDT, BTC-26DEC25, BTCUSDT-26DEC25). A
// dot would make a topic ambiguous; lower case is never a Bybit symbol and would only be refused.
const SYMBOL = /^[A-Z0-9]{1,30}(?:-[A-Z0-9]{1,20}){0,3}$/;

export type ParsedBybitTopic =
  | { kind: 'tickers'; symbol: string }
  | { kind: 'orderbook'; depth: number; symbol: string }
  | { kind: 'publicTrade'; symbol: string }
  /** Another public topic (kline, liquidation, ...): passed to the venue as is. */
  | { kind: 'public-other'; name: string }
  | { kind: BybitPrivateKind; category: string | undefined };

/** What a topic is, from its name alone (no network). Never throws. */
export function parseBybitTopic(topic: string): ParsedBybitTopic {
  const dot = topic.indexOf('.');
  const head = dot === -1 ? topic : topic.slice(0, dot);
  if (PRIVATE_KIND_SET.has(head)) {
    return { kind: head as BybitPrivateKind, category: dot === -1 ? undefined : topic.slice(dot + 1) };
  }
  const parts = topic.split('.');
  if ((head === 'tickers' || head === 'publicTrade') && parts.length === 2) {
    return { kind: head, symbol: parts[1] ?? '' };
  }
  if (head === 'orderbook' && parts.length === 3) {
    return { kind: 'orderbook', depth: Number(parts[1]), symbol: parts[2] ?? '' };
  }
  return { kind: 'public-other', name: head };
}

/** Private topics need the private endpoint and an authenticated socket. */
export function isBybitPrivateTopic(topic: string): boolean {
  const dot = topic.indexOf('.');
  return PRIVATE_KIND_SET.has(dot === -1 ? topic : topic.slice(0, dot));
}

/** `order` (all categories) rather than `order.linear`: the two may not share one subscribe request. */
export function isAllInOneTopic(topic: string): boolean {
  return isBybitPrivateTopic(topic) && !topic.includes('.');
}

/** Books carry `u` and snapshot/delta types; the sequence rules apply to them only. */
export function isBybitBookTopic(topic: string): boolean {
  return topic.startsWith('orderbook.');
}

/**
 * Why `topic` cannot be had on `market`, or undefined when it may be sent. Only what the name alone
 * proves is refused here (a private topic on a public socket, a depth Bybit does not publish); an
 * unknown symbol is the venue's to refuse.
 */
export function bybitTopicProblem(topic: string, market: BybitMarket): string | undefined {
  if (topic.length === 0) return 'an empty topic';
  const parsed = parseBybitTopic(topic);
  const isPrivate = isBybitPrivateTopic(topic);
  if (market === 'private') return isPrivate ? undefined : 'a public topic on the private endpoint';
  if (isPrivate) return `a private topic on the public ${market} endpoint`;
  if (parsed.kind === 'orderbook' && !BOOK_DEPTHS.has(parsed.depth)) return 'an orderbook depth Bybit does not publish';
  return undefined;
}

function invalid(message: string): ExchangeConnectionError {
  return new ExchangeConnectionError('INVALID_CONFIG', message);
}

// Echo user input in an error only in a bounded, printable form.
function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}

export function assertBybitSymbol(symbol: string): string {
  if (!SYMBOL.test(symbol)) {
    throw invalid(`Bybit symbol "${printable(symbol)}" is not valid (upper-case letters and digits, e.g. BTCUSDT)`);
  }
  return symbol;
}

function categorised(kind: 'order' | 'execution' | 'position', category: BybitCategory | undefined): string {
  if (category === undefined) return kind;
  if (!CATEGORIES[kind].has(category)) {
    throw invalid(`Bybit ${kind} topic has no category "${printable(String(category))}"`);
  }
  return `${kind}.${category}`;
}

/** Topic-name builders; each validates its parts so a typo fails here, not as a silent refusal. */
export const bybitTopic = {
  /** Spot: snapshots only; linear: a snapshot then deltas carrying only the fields that changed. */
  tickers: (symbol: string): string => `tickers.${assertBybitSymbol(symbol)}`,
  /** A snapshot, then deltas (level 1: snapshots only); see the book rules in bybit-book.ts. */
  orderbook: (depth: BybitBookDepth, symbol: string): string => {
    if (!BOOK_DEPTHS.has(depth))
      throw invalid(`Bybit orderbook depth "${printable(String(depth))}" is not one of 1, 50, 200, 1000`);
    return `orderbook.${depth}.${assertBybitSymbol(symbol)}`;
  },
  publicTrade: (symbol: string): string => `publicTrade.${assertBybitSymbol(symbol)}`,
  /** All categories without `category`; one category with it (the two may not share a request). */
  order: (category?: BybitCategory): string => categorised('order', category),
  execution: (category?: BybitCategory): string => categorised('execution', category),
  position: (category?: Exclude<BybitCategory, 'spot'>): string => categorised('position', category),
  wallet: (): string => 'wallet',
} as const;

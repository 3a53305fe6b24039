/** The Bybit v5 markets this exchange serves: one public endpoint per market, one private endpoint. */
export type BybitPublicMarket = 'spot' | 'linear';
export type BybitMarket = BybitPublicMarket | 'private';

export const BYBIT_MARKETS: readonly BybitMarket[] = ['spot', 'linear', 'private'];

/** Order book depths Bybit publishes for spot and linear (docs: orderbook page). */
export const BOOK_DEPTHS: readonly number[] = [1, 50, 200, 1000];

export type PrivateTopicKind = 'order' | 'execution' | 'position' | 'wallet';
/** Categories a categorised private topic may name (`order.linear`); this exchange generates spot and linear. */
export type PrivateCategory = 'spot' | 'linear';

export type ParsedTopic =
  | { kind: 'tickers'; market: BybitPublicMarket; symbol: string }
  | { kind: 'orderbook'; market: BybitPublicMarket; symbol: string; depth: number }
  | { kind: 'publicTrade'; market: BybitPublicMarket; symbol: string }
  | { kind: PrivateTopicKind; market: 'private'; category: PrivateCategory | undefined };

const CATEGORISED: Readonly<Record<PrivateTopicKind, readonly PrivateCategory[]>> = {
  order: ['spot', 'linear'],
  execution: ['spot', 'linear'],
  // Docs: spot has no positions; wallet has no categorised topic.
  position: ['linear'],
  wallet: [],
};

function isPrivateKind(value: string | undefined): value is PrivateTopicKind {
  return value === 'order' || value === 'execution' || value === 'position' || value === 'wallet';
}

/** Parses a topic as the endpoint of `market` serves it; undefined is Bybit's "handler not found". */
export function parseTopic(topic: string, market: BybitMarket, symbols: readonly string[]): ParsedTopic | undefined {
  const parts = topic.split('.');
  if (market === 'private') {
    const [kind, category, ...rest] = parts;
    if (!isPrivateKind(kind) || rest.length > 0) return undefined;
    if (category === undefined) return { kind, market, category: undefined };
    const allowed = CATEGORISED[kind];
    return (allowed as readonly string[]).includes(category)
      ? { kind, market, category: category as PrivateCategory }
      : undefined;
  }
  const known = (symbol: string | undefined): symbol is string => symbol !== undefined && symbols.includes(symbol);
  const [head, second, third] = parts;
  if ((head === 'tickers' || head === 'publicTrade') && parts.length === 2 && known(second)) {
    return { kind: head, market, symbol: second };
  }
  if (head === 'orderbook' && parts.length === 3 && BOOK_DEPTHS.includes(Number(second)) && known(third)) {
    return { kind: 'orderbook', market, symbol: third, depth: Number(second) };
  }
  return undefined;
}

export function isPrivateTopic(topic: string): boolean {
  return isPrivateKind(topic.split('.')[0]);
}

/** Docs: "All-In-One topic and Categorised topic cannot be in the same subscription request". */
export function mixesAllInOneAndCategorised(topics: readonly ParsedTopic[]): boolean {
  const seen = new Map<string, { allInOne: boolean; categorised: boolean }>();
  for (const topic of topics) {
    if (topic.market !== 'private') continue;
    const entry = seen.get(topic.kind) ?? { allInOne: false, categorised: false };
    if (topic.category === undefined) entry.allInOne = true;
    else entry.categorised = true;
    seen.set(topic.kind, entry);
  }
  return [...seen.values()].some((entry) => entry.allInOne && entry.categorised);
}

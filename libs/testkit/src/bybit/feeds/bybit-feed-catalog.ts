import type { FeedCatalog } from '../../shared/feeds/feed-hub.js';
import { isPrivateTopic, parseTopic, type BybitMarket, type ParsedTopic } from '../bybit-topics.js';
import { bybitProfile } from './bybit-instruments.js';
import { BybitOrderbookFeed } from './orderbook-feed.js';
import { createPrivateFeed } from './private-feeds.js';
import { BybitPublicTradeFeed } from './public-trade-feed.js';
import { BybitTickerFeed } from './ticker-feed.js';

/** The topics one Bybit endpoint serves, for the shared feed hub (one hub per endpoint). */
export function bybitFeedCatalog(market: BybitMarket, symbols: readonly string[]): FeedCatalog<ParsedTopic> {
  return {
    parse: (topic) => parseTopic(topic, market, symbols),
    isPrivate: isPrivateTopic,
    create: (parsed, random, topic) => {
      switch (parsed.kind) {
        case 'tickers':
          return new BybitTickerFeed(bybitProfile(parsed.symbol, parsed.market), parsed.market, random);
        case 'orderbook':
          return new BybitOrderbookFeed(bybitProfile(parsed.symbol, parsed.market), parsed.market, parsed.depth, random);
        case 'publicTrade':
          return new BybitPublicTradeFeed(bybitProfile(parsed.symbol, parsed.market), parsed.market, random);
        default:
          return createPrivateFeed(parsed.kind, { topic, category: parsed.category, symbols, random });
      }
    },
  };
}

import { isPrivateChannel, parseChannel, type ParsedChannel } from '../channel-name.js';
import type { FeedCatalog } from '../../shared/feeds/feed-hub.js';
import type { FeedStream } from '../../shared/feeds/feed-stream.js';
import type { Random } from '../../shared/feeds/prng.js';
import { BookFeed, GroupedBookFeed } from './book-feed.js';
import { instrumentProfile } from './instrument-profile.js';
import { TickerFeed } from './ticker-feed.js';
import { TradesFeed } from './trades-feed.js';
import { UserOrdersFeed, UserPortfolioFeed, UserTradesFeed } from './user-feeds.js';

function createFeedStream(channel: ParsedChannel, random: Random): FeedStream {
  if (channel.kind === 'user.portfolio') return new UserPortfolioFeed(channel.currency, random);
  const profile = instrumentProfile(channel.instrument);
  switch (channel.kind) {
    case 'ticker':
      return new TickerFeed(profile, random);
    case 'book':
      return new BookFeed(profile, random);
    case 'book.grouped':
      return new GroupedBookFeed(profile, random, channel.depth);
    case 'trades':
      return new TradesFeed(profile, random);
    case 'user.orders':
      return new UserOrdersFeed(profile, random, channel.interval);
    case 'user.trades':
      return new UserTradesFeed(profile, random);
  }
}

/** The Deribit channels this exchange serves, for the shared feed hub. */
export function deribitFeedCatalog(instruments: readonly string[]): FeedCatalog<ParsedChannel> {
  return {
    parse: (channel) => parseChannel(channel, instruments),
    create: (parsed, random) => createFeedStream(parsed, random),
    isPrivate: isPrivateChannel,
  };
}

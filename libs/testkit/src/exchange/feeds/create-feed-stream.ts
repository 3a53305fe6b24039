import type { ParsedChannel } from '../channel-name.js';
import { BookFeed, GroupedBookFeed } from './book-feed.js';
import type { FeedStream } from './feed-stream.js';
import { instrumentProfile } from './instrument-profile.js';
import { streamRandom } from './prng.js';
import { TickerFeed } from './ticker-feed.js';
import { TradesFeed } from './trades-feed.js';
import { UserOrdersFeed, UserPortfolioFeed, UserTradesFeed } from './user-feeds.js';

/** The stream behind a channel; `streamKey` (channel, plus account for user.*) seeds it. */
export function createFeedStream(channel: ParsedChannel, seed: number, streamKey: string): FeedStream {
  const random = streamRandom(seed, streamKey);
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

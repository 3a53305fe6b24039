import type { FeedCatalog } from '../../shared/feeds/feed-hub.js';
import { streamRandom } from '../../shared/feeds/prng.js';
import { bookKey, parseStream, type BinanceProduct, type ParsedStream } from '../binance-streams.js';
import { BinanceBook } from './binance-book.js';
import { binanceProfile } from './binance-instruments.js';
import { BinanceBookTickerFeed, BinanceDepthFeed } from './depth-feed.js';
import { BinanceAggTradeFeed, BinanceMarkPriceFeed, BinanceTickerFeed, BinanceTradeFeed } from './market-feeds.js';

/** The books of one exchange, one per product and symbol, created on first use (a stream or a REST snapshot). */
export class BinanceBooks {
  private readonly books = new Map<string, BinanceBook>();

  constructor(private readonly seed: number) {}

  get(product: BinanceProduct, symbol: string): BinanceBook {
    const key = bookKey(product, symbol);
    let book = this.books.get(key);
    if (book === undefined) {
      book = new BinanceBook(binanceProfile(symbol, product), product, streamRandom(this.seed, `book\u0000${key}`));
      this.books.set(key, book);
    }
    return book;
  }
}

/** The market streams of one product, for the shared feed hub. */
export function binanceFeedCatalog(
  product: BinanceProduct,
  symbols: readonly string[],
  books: BinanceBooks,
): FeedCatalog<ParsedStream> {
  return {
    parse: (stream) => parseStream(stream, product, symbols),
    isPrivate: () => false,
    create: (parsed, random) => {
      const profile = binanceProfile(parsed.symbol, product);
      switch (parsed.kind) {
        case 'depth':
          return new BinanceDepthFeed(books.get(product, parsed.symbol));
        case 'bookTicker':
          return new BinanceBookTickerFeed(books.get(product, parsed.symbol));
        case 'trade':
          return new BinanceTradeFeed(profile, product, random);
        case 'aggTrade':
          return new BinanceAggTradeFeed(profile, random);
        case 'ticker':
          return new BinanceTickerFeed(profile, random);
        case 'markPrice':
          return new BinanceMarkPriceFeed(profile, random);
      }
    },
  };
}

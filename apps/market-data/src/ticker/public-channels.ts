import { DeribitAdapter } from '@exchange-connection/core';

/**
 * The only channels a browser may ask for: public market data. Fixed in code on purpose, so no
 * configuration mistake can expose the authenticated connection's private channels.
 */
export const PUBLIC_STREAM_CHANNELS: readonly string[] = [
  'ticker.BTC-PERPETUAL.100ms',
  'book.BTC-PERPETUAL.100ms',
  'ticker.ETH-PERPETUAL.100ms',
  'book.ETH-PERPETUAL.100ms',
];

/** What the app itself always consumes (and keeps the latest value of). */
export const TICKER_CHANNEL = 'ticker.BTC-PERPETUAL.100ms';
export const BOOK_CHANNEL = 'book.BTC-PERPETUAL.100ms';

const venue = new DeribitAdapter({});

/**
 * An allow-list that refuses to hold a private channel even if one is added by mistake: the
 * venue adapter, not a prefix guess here, decides what is private.
 */
export class ChannelAllowList {
  private readonly channels: ReadonlySet<string>;

  constructor(channels: readonly string[] = PUBLIC_STREAM_CHANNELS) {
    for (const channel of channels) {
      if (venue.isPrivateChannel(channel) || channel.startsWith('user.') || channel.startsWith('private/')) {
        throw new Error(`stream allow-list must hold public channels only; ${channel} is private`);
      }
    }
    this.channels = new Set(channels);
  }

  has(channel: string): boolean {
    return this.channels.has(channel);
  }

  list(): string[] {
    return [...this.channels];
  }
}

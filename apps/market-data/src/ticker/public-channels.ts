import type { VenueAdapter } from '@exchange-connection/core';
import { APP_VENUES } from '../venues/app-venues.js';

/** Deribit's public channels (the default list; each venue's is in venues/app-venues.ts). */
export const PUBLIC_STREAM_CHANNELS: readonly string[] = APP_VENUES.deribit.channels;

/** The ticker the app keeps the latest value of on a Deribit connection. */
export const TICKER_CHANNEL = APP_VENUES.deribit.ticker;

/**
 * An allow-list that refuses to hold a private channel even if one is added by mistake: the
 * venue adapter, not a prefix guess here, decides what is private.
 */
export class ChannelAllowList {
  private readonly channels: ReadonlySet<string>;

  constructor(
    channels: readonly string[] = PUBLIC_STREAM_CHANNELS,
    venue: Pick<VenueAdapter, 'isPrivateChannel'> = APP_VENUES.deribit.adapter,
  ) {
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

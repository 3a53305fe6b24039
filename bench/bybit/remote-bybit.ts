import { RemoteVenue } from '../support/venue-host.js';

export interface BybitUrls {
  spot: string;
  linear: string;
  private: string;
}

export type RemoteBybit = RemoteVenue<BybitUrls>;

/** A Bybit test exchange listing `symbols` in a child process (compiled `bybit-host.js` next to this file). */
export function startRemoteBybit(symbols: string[]): Promise<RemoteBybit> {
  return RemoteVenue.start<BybitUrls>(new URL('./bybit-host.js', import.meta.url), 'Bybit', symbols);
}

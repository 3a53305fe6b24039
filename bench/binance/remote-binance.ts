import { RemoteVenue } from '../support/venue-host.js';

export interface RemoteBinanceUrls {
  spotCombined: string;
  rest: string;
}

export type RemoteBinance = RemoteVenue<RemoteBinanceUrls>;

/** A Binance test exchange listing spot `symbols` in a child process (compiled `binance-host.js` next to this file). */
export function startRemoteBinance(symbols: string[]): Promise<RemoteBinance> {
  return RemoteVenue.start<RemoteBinanceUrls>(new URL('./binance-host.js', import.meta.url), 'Binance', symbols);
}

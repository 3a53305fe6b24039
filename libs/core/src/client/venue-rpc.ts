import type { RequestOptions } from './client-types.js';

/**
 * What a venue adapter may use of a live client: requests only (written in the venue's envelope by
 * its codec). The supervisor routes messages to the adapter's session, so an adapter never listens
 * on a socket itself.
 * It lives in the client layer because the client implements it; venues/ depends on it, never
 * the other way round.
 */
export interface VenueRpc {
  request<T>(method: string, params?: Record<string, unknown>, opts?: RequestOptions): Promise<T>;
}

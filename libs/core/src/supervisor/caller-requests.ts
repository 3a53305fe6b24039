import type { ExchangeClient } from '../client/exchange-client.js';

/**
 * The requests callers sent on each client, until they settle: a rotation closes a retiring
 * socket only after them, so an order in flight is answered on the socket it was sent on.
 */
export class CallerRequests {
  private readonly byClient = new WeakMap<ExchangeClient, Set<Promise<unknown>>>();

  /** Counts `sent` against `client` until it settles (either way). */
  track(client: ExchangeClient, sent: Promise<unknown>): void {
    let own = this.byClient.get(client);
    if (own === undefined) this.byClient.set(client, (own = new Set()));
    const settled: Promise<unknown> = sent.then(
      () => own.delete(settled),
      () => own.delete(settled),
    );
    own.add(settled);
  }

  /** Settles once every request now in flight on `client` did; undefined when none is. */
  settled(client: ExchangeClient): Promise<unknown> | undefined {
    const own = this.byClient.get(client);
    if (own === undefined || own.size === 0) return undefined;
    return Promise.all([...own]);
  }
}

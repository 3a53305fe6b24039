import { DeribitAdapter, isExchangeConnectionError, type VenueMessage } from '@exchange-connection/core';
import { fenceVenue } from './fence-venue.js';

// The fence over a real adapter (Deribit's): the rpc below stands for the client, whose requests
// the fence must stop, and the frames are what a socket would hand the session.
describe('fenceVenue', () => {
  const notification = (): VenueMessage =>
    ({
      jsonrpc: '2.0',
      method: 'subscription',
      params: { channel: 'ticker.BTC-PERPETUAL.100ms', data: { v: 1 } },
    }) as VenueMessage;

  function build(valid: { now: boolean }) {
    const sent: string[] = [];
    const venue = fenceVenue(new DeribitAdapter(), () => valid.now);
    const session = venue.createSession(
      {
        request: <T>(method: string) => {
          sent.push(method);
          return Promise.resolve([] as unknown as T);
        },
      },
      {},
      () => undefined,
    );
    return { session, sent };
  }

  it('passes frames and requests through while the lease is valid', async () => {
    const { session, sent } = build({ now: true });
    expect(session.route(notification())).toMatchObject({ kind: 'data', channel: 'ticker.BTC-PERPETUAL.100ms' });
    await session.subscribe(['ticker.BTC-PERPETUAL.100ms']);
    expect(sent).toEqual(['public/subscribe']);
  });

  it('past the deadline, sends nothing and delivers nothing the old socket still reads', async () => {
    const valid = { now: true };
    const { session, sent } = build(valid);
    valid.now = false;
    expect(session.route(notification())).toEqual({ kind: 'handled' });
    const refused = await session.subscribe(['ticker.BTC-PERPETUAL.100ms']).catch((error: unknown) => error);
    expect(isExchangeConnectionError(refused) && refused.code).toBe('NOT_OWNER');
    expect(sent).toEqual([]);
    // Lease renewed (a standby never reuses a session, but the fence itself is only the deadline).
    valid.now = true;
    expect(session.route(notification()).kind).toBe('data');
  });
});

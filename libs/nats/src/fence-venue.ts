import { ExchangeConnectionError, type VenueAdapter } from '@exchange-connection/core';

/**
 * The venue adapter the owner's session is built with: every request the session itself sends
 * (auth, heartbeat answers, subscribes, the polite unsubscribe on close) passes `mayAct` at the
 * moment it is sent, so past the lease deadline nothing leaves this replica whatever timer or
 * socket event runs first after a pause.
 */
export function fenceVenue(venue: VenueAdapter, mayAct: () => boolean): VenueAdapter {
  const createSession: VenueAdapter['createSession'] = (rpc, options, onFatal) =>
    venue.createSession(
      {
        request: (method, params, opts) =>
          mayAct()
            ? rpc.request(method, params, opts)
            : Promise.reject(
                new ExchangeConnectionError('NOT_OWNER', `${method} not sent: this replica's lease has lapsed`, { method }),
              ),
      },
      options,
      onFatal,
    );
  // A Proxy rather than a copy: every other member is the adapter's own, called on the adapter
  // (an adapter may keep #private state, which a copy or a prototype child cannot reach).
  return new Proxy(venue, {
    get(target, property) {
      if (property === 'createSession') return createSession;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

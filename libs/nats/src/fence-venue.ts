import {
  ExchangeConnectionError,
  type RoutedNotification,
  type VenueAdapter,
  type VenueSession,
} from '@exchange-connection/core';

/** What a fenced session makes of every frame: nothing reaches consumers or the fan-out. */
const FENCED: RoutedNotification = Object.freeze({ kind: 'handled' });

/**
 * The venue adapter the owner's session is built with: every request the session itself sends
 * (auth, heartbeat answers, subscribes, the polite unsubscribe on close) passes `mayAct` at the
 * moment it is sent, so past the lease deadline nothing leaves this replica whatever timer or
 * socket event runs first after a pause. Nothing comes in either: past the deadline every frame the
 * old socket still delivers (read after a pause, say) is dropped, because the next owner's socket
 * may carry the same notifications, and this replica's consumers get those from the fan-out once it
 * stands down. Delivering both would repeat them.
 */
export function fenceVenue(venue: VenueAdapter, mayAct: () => boolean): VenueAdapter {
  const createSession: VenueAdapter['createSession'] = (rpc, options, onFatal, prepared) =>
    fenceInbound(
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
        prepared,
      ),
      mayAct,
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

/** The session as built, but `route` answers FENCED once the lease has lapsed (one wrapper per session: it runs per frame). */
function fenceInbound(session: VenueSession, mayAct: () => boolean): VenueSession {
  const route = session.route.bind(session);
  const fencedRoute: VenueSession['route'] = (message) => (mayAct() ? route(message) : FENCED);
  return new Proxy(session, {
    get(target, property) {
      if (property === 'route') return fencedRoute;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

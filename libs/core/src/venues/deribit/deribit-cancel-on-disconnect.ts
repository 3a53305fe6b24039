import type { VenueSessionOptions } from '../venue-adapter.js';

export type CancelOnDisconnectScope = 'connection' | 'account';

/** The configured scope, or undefined when cancel-on-disconnect is not wanted. */
export function cancelOnDisconnectScope(option: VenueSessionOptions['cancelOnDisconnect']): CancelOnDisconnectScope | undefined {
  if (option === undefined || option === false) return undefined;
  return option === true ? 'connection' : option.scope;
}

export const ENABLE_CANCEL_ON_DISCONNECT = 'private/enable_cancel_on_disconnect';
export const DISABLE_CANCEL_ON_DISCONNECT = 'private/disable_cancel_on_disconnect';

import { publicAuth } from './auth-methods.js';
import { disableCancelOnDisconnect, enableCancelOnDisconnect, getCancelOnDisconnect } from './cancel-on-disconnect-methods.js';
import { publicGetTime, publicHello, publicTest } from './diagnostic-methods.js';
import { disableHeartbeat, setHeartbeat } from './heartbeat-methods.js';
import type { MethodHandler } from './method-context.js';
import { anyUnsubscribe, privateSubscribe, publicSubscribe, unsubscribeAll } from './subscription-methods.js';

/** Every method this exchange speaks. `private/*` ones are gated on a token by the dispatcher. */
export const METHOD_TABLE: ReadonlyMap<string, MethodHandler> = new Map<string, MethodHandler>([
  ['public/auth', publicAuth],
  ['public/set_heartbeat', setHeartbeat],
  ['public/disable_heartbeat', disableHeartbeat],
  ['public/test', publicTest],
  ['public/hello', publicHello],
  ['public/get_time', publicGetTime],
  ['public/subscribe', publicSubscribe],
  ['private/subscribe', privateSubscribe],
  ['public/unsubscribe', anyUnsubscribe],
  ['private/unsubscribe', anyUnsubscribe],
  ['public/unsubscribe_all', unsubscribeAll],
  ['private/unsubscribe_all', unsubscribeAll],
  ['private/enable_cancel_on_disconnect', enableCancelOnDisconnect],
  ['private/disable_cancel_on_disconnect', disableCancelOnDisconnect],
  ['private/get_cancel_on_disconnect', getCancelOnDisconnect],
]);

export function isPrivateMethod(method: string): boolean {
  return method.startsWith('private/');
}

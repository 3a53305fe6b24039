import { rpcErrors } from '../deribit-errors.js';
import { heartbeatNotification } from '../json-rpc-envelope.js';
import type { MethodHandler } from './method-context.js';
import { requiredNumber } from './params-reader.js';

export const setHeartbeat: MethodHandler = (ctx, params) => {
  const interval = requiredNumber(params, 'interval');
  const minimum = ctx.runtime.options.minHeartbeatIntervalSec;
  if (interval < minimum) throw rpcErrors.invalidParams('interval', `must be at least ${minimum}`);
  ctx.runtime.counters.setHeartbeat += 1;
  ctx.session.heartbeat.start(interval);
  // Deribit's first heartbeat follows the "ok" at once; test_requests follow each interval.
  ctx.afterResponse(() => {
    if (!ctx.runtime.faults.heartbeatsPaused) ctx.session.send(heartbeatNotification('heartbeat'));
  });
  return 'ok';
};

export const disableHeartbeat: MethodHandler = (ctx) => {
  ctx.session.heartbeat.stop();
  return 'ok';
};

import { RpcError, DeribitErrorCode } from '../deribit-errors.js';
import type { MethodHandler } from './method-context.js';
import { optionalString } from './params-reader.js';

/** The API version this exchange claims to speak. */
export const API_VERSION = '1.2.26';

export const publicTest: MethodHandler = (ctx, params) => {
  ctx.runtime.counters.testCalls += 1;
  ctx.session.heartbeat.testAnswered();
  if (optionalString(params, 'expected_result') === 'exception') {
    // Deribit documents only that "exception" triggers an error response; 11094 is its generic one.
    throw new RpcError(DeribitErrorCode.InternalServerError, 'internal_server_error', { reason: 'expected_result' });
  }
  return { version: API_VERSION };
};

export const publicHello: MethodHandler = (_ctx, params) => {
  optionalString(params, 'client_name');
  optionalString(params, 'client_version');
  return { version: API_VERSION };
};

export const publicGetTime: MethodHandler = (ctx) => ctx.runtime.options.now();

import type { AuthGrantResult } from '../auth-service.js';
import { RpcError } from '../deribit-errors.js';
import type { MethodContext, MethodHandler } from './method-context.js';
import { optionalString, requiredEnum, requiredNumber, requiredString } from './params-reader.js';

const GRANT_TYPES = ['client_credentials', 'client_signature', 'refresh_token'] as const;

function grant(ctx: MethodContext, params: Parameters<MethodHandler>[1]): AuthGrantResult {
  const { auth } = ctx.runtime;
  const grantType = requiredEnum(params, 'grant_type', GRANT_TYPES);
  const scope = optionalString(params, 'scope');
  switch (grantType) {
    case 'client_credentials':
      return auth.clientCredentials(requiredString(params, 'client_id'), requiredString(params, 'client_secret'), scope);
    case 'client_signature':
      return auth.clientSignature(
        {
          clientId: requiredString(params, 'client_id'),
          timestamp: requiredNumber(params, 'timestamp'),
          nonce: optionalString(params, 'nonce') ?? '',
          data: optionalString(params, 'data') ?? '',
          signature: requiredString(params, 'signature'),
        },
        scope,
      );
    case 'refresh_token':
      return auth.refresh(requiredString(params, 'refresh_token'));
  }
}

/** `public/auth`: a success binds the socket's session to the new token. */
export const publicAuth: MethodHandler = (ctx, params) => {
  const { counters } = ctx.runtime;
  let result: AuthGrantResult;
  try {
    result = grant(ctx, params);
  } catch (error) {
    if (error instanceof RpcError && error.code !== -32602) counters.authFailures += 1;
    throw error;
  }
  counters.auth += 1;
  if (params.grant_type === 'refresh_token') counters.refresh += 1;
  const identity = ctx.runtime.auth.validate(result.access_token);
  if (identity !== undefined) ctx.session.auth = { ...identity, accessToken: result.access_token };
  return result;
};

import type { MethodContext, MethodHandler } from './method-context.js';
import { requireIdentity } from './method-context.js';
import { optionalEnum } from './params-reader.js';

const SCOPES = ['connection', 'account'] as const;
export type CancelOnDisconnectScope = (typeof SCOPES)[number];

function scopeOf(params: Parameters<MethodHandler>[1]): CancelOnDisconnectScope {
  return optionalEnum(params, 'scope', SCOPES) ?? 'connection';
}

function setEnabled(ctx: MethodContext, scope: CancelOnDisconnectScope, enabled: boolean): void {
  const { clientId } = requireIdentity(ctx);
  if (scope === 'connection') {
    ctx.session.cancelOnDisconnectOwner = enabled ? clientId : undefined;
    return;
  }
  if (enabled) ctx.runtime.accountCancelOnDisconnect.add(clientId);
  else ctx.runtime.accountCancelOnDisconnect.delete(clientId);
}

export const enableCancelOnDisconnect: MethodHandler = (ctx, params) => {
  setEnabled(ctx, scopeOf(params), true);
  ctx.runtime.counters.enableCancelOnDisconnect += 1;
  return 'ok';
};

export const disableCancelOnDisconnect: MethodHandler = (ctx, params) => {
  setEnabled(ctx, scopeOf(params), false);
  ctx.runtime.counters.disableCancelOnDisconnect += 1;
  return 'ok';
};

export const getCancelOnDisconnect: MethodHandler = (ctx, params) => {
  const scope = scopeOf(params);
  const enabled =
    scope === 'connection'
      ? ctx.session.cancelOnDisconnectOwner !== undefined
      : ctx.runtime.accountCancelOnDisconnect.has(requireIdentity(ctx).clientId);
  return { scope, enabled };
};

import { isPrivateChannel, isRawChannel } from '../channel-name.js';
import { rpcErrors } from '../deribit-errors.js';
import type { MethodContext, MethodHandler } from './method-context.js';
import { requiredStringArray } from './params-reader.js';

function subscribe(ctx: MethodContext, channels: readonly string[], privateCall: boolean): string[] {
  const { feeds, counters } = ctx.runtime;
  counters.subscribeCalls += 1;
  if (!privateCall) {
    const privateChannel = channels.find(isPrivateChannel);
    if (privateChannel !== undefined) throw rpcErrors.forbidden(`${privateChannel} needs private/subscribe`);
  }
  const clientId = ctx.identity?.clientId;
  const parsed = [...new Set(channels)].map((name) => ({ name, channel: feeds.parse(name) }));
  if (clientId === undefined && parsed.some(({ channel }) => channel !== undefined && isRawChannel(channel))) {
    throw rpcErrors.rawForUnauthorized();
  }
  const subscribed: string[] = [];
  for (const { name, channel } of parsed) {
    // Deribit leaves unknown channels out of the result rather than failing the call.
    if (channel === undefined) continue;
    if (feeds.add(ctx.session, name, channel, clientId)) {
      counters.subscribedChannels += 1;
      ctx.afterResponse(() => feeds.activate(ctx.session, name));
    }
    subscribed.push(name);
  }
  return subscribed;
}

function unsubscribe(ctx: MethodContext, channels: readonly string[]): string[] {
  ctx.runtime.counters.unsubscribeCalls += 1;
  return [...new Set(channels)].filter((name) => ctx.runtime.feeds.remove(ctx.session, name));
}

/** Public calls may still name raw channels when the socket's session is authenticated. */
function withSessionIdentity(ctx: MethodContext): MethodContext {
  const sessionAuth = ctx.session.auth;
  const identity = sessionAuth === undefined ? undefined : ctx.runtime.auth.validate(sessionAuth.accessToken);
  return { ...ctx, identity };
}

export const publicSubscribe: MethodHandler = (ctx, params) =>
  subscribe(withSessionIdentity(ctx), requiredStringArray(params, 'channels'), false);

export const privateSubscribe: MethodHandler = (ctx, params) => subscribe(ctx, requiredStringArray(params, 'channels'), true);

export const anyUnsubscribe: MethodHandler = (ctx, params) => unsubscribe(ctx, requiredStringArray(params, 'channels'));

export const unsubscribeAll: MethodHandler = (ctx) => {
  ctx.runtime.counters.unsubscribeCalls += 1;
  ctx.runtime.feeds.removeAll(ctx.session);
  return 'ok';
};

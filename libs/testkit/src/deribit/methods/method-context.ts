import type { AuthIdentity, AuthService } from '../auth-service.js';
import type { ConnectionSession } from '../connection-session.js';
import type { FaultState } from '../../shared/fault-state.js';
import type { FeedHub } from '../../shared/feeds/feed-hub.js';
import type { ParsedChannel } from '../channel-name.js';
import type { RpcParams } from '../json-rpc-envelope.js';
import type { TestExchangeCounters } from '../test-exchange-counters.js';
import type { ResolvedOptions } from '../test-exchange-options.js';

/** Exchange-wide services the method handlers share (one per exchange instance). */
export interface ExchangeRuntime {
  readonly options: ResolvedOptions;
  readonly counters: TestExchangeCounters;
  readonly auth: AuthService;
  readonly feeds: FeedHub<ParsedChannel>;
  readonly faults: FaultState;
  /** Account-scope cancel-on-disconnect, keyed by client id (an account setting, not a socket's). */
  readonly accountCancelOnDisconnect: Set<string>;
}

export interface MethodContext {
  readonly runtime: ExchangeRuntime;
  readonly session: ConnectionSession;
  /** Set for private methods: who the token (params or session) belongs to. */
  readonly identity: AuthIdentity | undefined;
  /** Runs after the response frame was sent (e.g. a book snapshot must follow the subscribe result). */
  afterResponse(fn: () => void): void;
}

export type MethodHandler = (ctx: MethodContext, params: RpcParams) => unknown;

export function requireIdentity(ctx: MethodContext): AuthIdentity {
  if (ctx.identity === undefined) throw new Error(`private handler reached without identity`);
  return ctx.identity;
}

import type { AuthIdentity } from './auth-service.js';
import type { ConnectionSession } from './connection-session.js';
import { RpcError, rpcErrors } from './deribit-errors.js';
import {
  errorEnvelope,
  parseInboundFrame,
  successEnvelope,
  type InboundRequest,
  type RpcId,
  type Timing,
} from './json-rpc-envelope.js';
import type { ExchangeRuntime, MethodContext } from './methods/method-context.js';
import { METHOD_TABLE, isPrivateMethod } from './methods/method-table.js';

export interface RequestLogEntry {
  readonly connectionId: number;
  readonly method: string;
  readonly at: number;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: RpcError };

/**
 * Turns one inbound frame into exactly one response (or none, in a black hole). Never throws: a
 * handler bug becomes Deribit's 11094 for that request and nothing else.
 */
export class RequestDispatcher {
  constructor(
    private readonly runtime: ExchangeRuntime,
    private readonly requestLog: RequestLogEntry[],
  ) {}

  handleFrame(session: ConnectionSession, data: Buffer, usIn: number): void {
    const { counters, options, faults } = this.runtime;
    if (faults.blackHole) return;
    if (data.length > options.maxPayload) {
      counters.malformedIn += 1;
      this.respond(session, null, { ok: false, error: rpcErrors.requestTooLarge(options.maxPayload) }, usIn, []);
      return;
    }
    const frame = parseInboundFrame(data.toString('utf8'));
    if (frame.kind === 'rejection') {
      if (frame.error.code !== -32602) counters.malformedIn += 1;
      this.respond(session, frame.id, { ok: false, error: frame.error }, usIn, []);
      return;
    }
    counters.requests += 1;
    this.log(session.id, frame.method);
    const after: Array<() => void> = [];
    const outcome = this.execute(session, frame, after);
    this.respond(session, frame.id, outcome, usIn, after);
  }

  private execute(session: ConnectionSession, request: InboundRequest, after: Array<() => void>): Outcome {
    const { counters, options } = this.runtime;
    try {
      if (session.bucket !== undefined && !session.bucket.tryTake(options.now())) {
        counters.rateLimited += 1;
        return { ok: false, error: rpcErrors.tooManyRequests() };
      }
      const handler = METHOD_TABLE.get(request.method);
      if (handler === undefined) return { ok: false, error: rpcErrors.methodNotFound() };
      const identity = isPrivateMethod(request.method) ? this.identityFor(session, request) : undefined;
      const ctx: MethodContext = {
        runtime: this.runtime,
        session,
        identity,
        afterResponse: (fn) => after.push(fn),
      };
      return { ok: true, result: handler(ctx, request.params) };
    } catch (error) {
      after.length = 0;
      return { ok: false, error: error instanceof RpcError ? error : rpcErrors.internal() };
    }
  }

  /** A private call authenticates by `params.access_token`, else by the socket's session. */
  private identityFor(session: ConnectionSession, request: InboundRequest): AuthIdentity {
    const token = request.params.access_token;
    if (token !== undefined && typeof token !== 'string') throw rpcErrors.invalidParams('access_token', 'must be a string');
    const accessToken = token ?? session.auth?.accessToken;
    if (accessToken === undefined) throw rpcErrors.unauthorized('missing_token');
    const identity = this.runtime.auth.validate(accessToken);
    if (identity === undefined) throw rpcErrors.unauthorized('invalid_token');
    return identity;
  }

  private respond(
    session: ConnectionSession,
    id: RpcId | null,
    outcome: Outcome,
    usIn: number,
    after: ReadonlyArray<() => void>,
  ): void {
    const send = (): void => {
      const timing: Timing = { usIn, usOut: Math.max(usIn, microsNow(this.runtime.options.now)) };
      const frame =
        outcome.ok && id !== null
          ? successEnvelope(id, outcome.result, timing)
          : errorEnvelope(id, outcome.ok ? rpcErrors.internal().toBody() : outcome.error.toBody(), timing);
      session.send(frame);
      for (const fn of after) fn();
    };
    const delay = this.runtime.faults.responseDelayMs;
    if (delay > 0) session.later(delay, send);
    else send();
  }

  private log(connectionId: number, method: string): void {
    this.requestLog.push({ connectionId, method, at: this.runtime.options.now() });
    const overflow = this.requestLog.length - this.runtime.options.requestLogLimit;
    if (overflow > 0) this.requestLog.splice(0, overflow);
  }
}

/** Microseconds since the epoch; sub-millisecond precision only with the real clock. */
export function microsNow(now: () => number): number {
  if (now === Date.now) return Math.round((performance.timeOrigin + performance.now()) * 1000);
  return Math.round(now() * 1000);
}

import { NoRespondersError, RequestError, TimeoutError, type Subscription as NatsSubscription } from '@nats-io/transport-node';
import { ExchangeConnectionError, type ExchangeConnectionErrorCode, type RequestOptions } from '@exchange-connection/core';
import { describe, notOwner, parseJson, type CoordinationContext } from './coordination-context.js';

interface RelayRequest {
  method: string;
  params?: Record<string, unknown>;
  timeoutMs?: number;
}

type RelayReply =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: ExchangeConnectionErrorCode; message: string; venueCode?: number } };

interface PendingRelay {
  epoch: number;
  reject: (error: ExchangeConnectionError) => void;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

type RelayContext = Pick<
  CoordinationContext,
  'name' | 'settings' | 'subjects' | 'counters' | 'nats' | 'mayAct' | 'session' | 'holder'
>;

/**
 * Both ends of `request()` over NATS request/reply. A standby sends to `rpc.<epoch>` of the owner
 * it knows, so only that epoch's owner answers; the owner serves on its epoch's subject while it
 * owns. Nothing is ever re-sent: an owner change while waiting is DISCONNECTED.
 */
export class RequestRelay {
  private readonly pending = new Set<PendingRelay>();
  private rpcSub: NatsSubscription | undefined;

  constructor(private readonly ctx: RelayContext) {}

  /** Relayed requests waiting for the owner's answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  async relay<T>(method: string, params: Record<string, unknown> | undefined, opts: RequestOptions | undefined): Promise<T> {
    const holder = this.ctx.holder();
    const nc = this.ctx.nats();
    if (nc === undefined || holder === undefined) throw notOwner(this.ctx.name, method);
    const timeoutMs = opts?.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const body: RelayRequest = { method, params, timeoutMs: opts?.timeoutMs };
    this.ctx.counters.relayedRequests += 1;
    let pending: PendingRelay | undefined;
    // The owner changing while we wait means the request may or may not have reached the venue:
    // DISCONNECTED, as for a socket that dies with a request in flight. Never re-sent.
    const ownerGone = new Promise<never>((_resolve, reject) => {
      pending = { epoch: holder.epoch, reject };
      this.pending.add(pending);
    });
    try {
      const reply = await Promise.race([
        nc.request(this.ctx.subjects.rpc(holder.epoch), JSON.stringify(body), {
          timeout: timeoutMs + this.ctx.settings.relayMarginMs,
        }),
        ownerGone,
      ]);
      const answer = JSON.parse(reply.string()) as RelayReply;
      if (answer.ok) return answer.result as T;
      throw new ExchangeConnectionError(answer.error.code, answer.error.message, { method, venueCode: answer.error.venueCode });
    } catch (error) {
      if (error instanceof ExchangeConnectionError) throw error;
      if (error instanceof NoRespondersError || (error instanceof RequestError && error.isNoResponders())) {
        throw notOwner(this.ctx.name, method);
      }
      if (error instanceof TimeoutError || (error instanceof RequestError && error.cause instanceof TimeoutError)) {
        throw new ExchangeConnectionError(
          'REQUEST_TIMEOUT',
          `${method}: no answer from the owner of '${this.ctx.name}' in ${timeoutMs} ms`,
          {
            method,
          },
        );
      }
      throw new ExchangeConnectionError('DISCONNECTED', `${method}: relay to the owner failed: ${describe(error)}`, {
        method,
        cause: error,
      });
    } finally {
      if (pending) this.pending.delete(pending);
      ownerGone.catch(() => undefined);
    }
  }

  /** The owner is now `epoch` (undefined: none, or ourselves): requests sent to another fail. */
  ownerChanged(epoch: number | undefined): void {
    for (const pending of this.pending) {
      if (pending.epoch === epoch) continue;
      pending.reject(
        new ExchangeConnectionError(
          'DISCONNECTED',
          `connection '${this.ctx.name}': the owner changed while a relayed request was in flight`,
        ),
      );
      this.pending.delete(pending);
    }
  }

  /** Closed: every waiting request fails (each with its own error). */
  rejectAll(error: () => ExchangeConnectionError): void {
    for (const pending of this.pending) pending.reject(error());
    this.pending.clear();
  }

  /** As owner of `epoch`: answer the standbys' requests on that epoch's subject. */
  serve(epoch: number): void {
    const nc = this.ctx.nats();
    if (nc === undefined) return;
    this.rpcSub = nc.subscribe(this.ctx.subjects.rpc(epoch), {
      callback: (_e, msg) => void this.answer(msg.data, (reply) => msg.respond(reply)),
    });
  }

  stopServing(): void {
    this.rpcSub?.unsubscribe();
    this.rpcSub = undefined;
  }

  private async answer(data: Uint8Array, respond: (reply: string) => boolean): Promise<void> {
    const request = parseJson<RelayRequest>(data);
    let reply: RelayReply;
    if (request === undefined || typeof request.method !== 'string') {
      reply = { ok: false, error: { code: 'INVALID_REQUEST', message: 'relayed request without a method' } };
    } else {
      this.ctx.counters.servedRequests += 1;
      try {
        const opts = typeof request.timeoutMs === 'number' ? { timeoutMs: request.timeoutMs } : undefined;
        // Checked at this instant: a replica that no longer owns the connection sends nothing and
        // says NOT_OWNER; it never passes the request on (the requester already saw the owner change).
        const inner = this.ctx.session();
        if (!this.ctx.mayAct() || inner === undefined) throw notOwner(this.ctx.name, request.method);
        const result = await inner.request(request.method, request.params, opts);
        reply = { ok: true, result };
      } catch (error) {
        const e = error instanceof ExchangeConnectionError ? error : new ExchangeConnectionError('CLIENT_FAULT', describe(error));
        reply = { ok: false, error: { code: e.code, message: e.message, venueCode: e.venueCode } };
      }
    }
    try {
      respond(JSON.stringify(reply));
    } catch {
      // The requester times out.
    }
  }
}

import type { FeedHub } from '../shared/feeds/feed-hub.js';
import type { BinanceCounters } from './binance-counters.js';
import { streamErrors } from './binance-errors.js';
import type { ResolvedBinanceOptions } from './binance-options.js';
import type { BinanceSession } from './binance-session.js';
import type { ParsedStream } from './binance-streams.js';

type StreamRequestId = number | string | null;
type Outcome = { ok: true; result: unknown; after: Array<() => void> } | { ok: false; error: { code: number; msg: string } };

export interface StreamRequestContext {
  readonly options: ResolvedBinanceOptions;
  readonly counters: BinanceCounters;
  readonly hubFor: (session: BinanceSession) => FeedHub<ParsedStream>;
  readonly respond: (session: BinanceSession, frame: string, after?: ReadonlyArray<() => void>) => void;
  readonly log: (session: BinanceSession, method: string) => void;
}

function readId(value: unknown): { ok: true; id: StreamRequestId } | { ok: false } {
  if (value === null) return { ok: true, id: null };
  if (typeof value === 'number' && Number.isSafeInteger(value)) return { ok: true, id: value };
  if (typeof value === 'string' && /^[A-Za-z0-9-]{1,36}$/.test(value)) return { ok: true, id: value };
  return { ok: false };
}

/** Whether a USDⓈ-M stream is delivered on this connection's routed path. */
function deliversOn(session: BinanceSession, stream: ParsedStream): boolean {
  return stream.tier === undefined || stream.tier === session.tier;
}

/**
 * Live requests on a market-stream connection (web-socket-streams.md): SUBSCRIBE, UNSUBSCRIBE,
 * LIST_SUBSCRIPTIONS, SET_PROPERTY/GET_PROPERTY `combined`. Answers `{"result": …, "id": …}` or
 * `{"error": {"code", "msg"}, "id": …}`; never throws.
 */
export class StreamRequestHandler {
  constructor(private readonly ctx: StreamRequestContext) {}

  handle(session: BinanceSession, text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.ctx.counters.malformedIn += 1;
      return this.reply(session, null, { ok: false, error: streamErrors.invalidJson() });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.ctx.counters.malformedIn += 1;
      return this.reply(session, null, { ok: false, error: streamErrors.missingMethod() });
    }
    const request = parsed as Record<string, unknown>;
    const id = readId(request.id);
    if (!id.ok || !('id' in request)) return this.reply(session, null, { ok: false, error: streamErrors.badId() });
    if (request.method === undefined) return this.reply(session, id.id, { ok: false, error: streamErrors.missingMethod() });
    const method = String(request.method);
    this.ctx.log(session, method);
    this.reply(session, id.id, this.execute(session, method, request.params));
  }

  private execute(session: BinanceSession, method: string, params: unknown): Outcome {
    switch (method) {
      case 'SUBSCRIBE':
        return this.subscribe(session, params);
      case 'UNSUBSCRIBE':
        return this.unsubscribe(session, params);
      case 'LIST_SUBSCRIPTIONS':
        if (params !== undefined && !(Array.isArray(params) && params.length === 0)) {
          return { ok: false, error: streamErrors.tooManyParameters() };
        }
        return { ok: true, result: this.list(session), after: [] };
      case 'SET_PROPERTY': {
        const [name, value, ...rest] = Array.isArray(params) ? params : [];
        if (rest.length > 0) return { ok: false, error: streamErrors.tooManyParameters() };
        if (typeof name !== 'string') return { ok: false, error: streamErrors.propertyName() };
        if (name !== 'combined') return { ok: false, error: streamErrors.unknownProperty() };
        if (typeof value !== 'boolean') return { ok: false, error: streamErrors.expectedBoolean() };
        session.combined = value;
        return { ok: true, result: null, after: [] };
      }
      case 'GET_PROPERTY': {
        const [name, ...rest] = Array.isArray(params) ? params : [];
        if (rest.length > 0) return { ok: false, error: streamErrors.tooManyParameters() };
        if (typeof name !== 'string') return { ok: false, error: streamErrors.propertyName() };
        if (name !== 'combined') return { ok: false, error: streamErrors.unknownProperty() };
        return { ok: true, result: session.combined, after: [] };
      }
      default:
        return { ok: false, error: streamErrors.unknownMethod(method) };
    }
  }

  /** Every stream held, delivered or not. */
  list(session: BinanceSession): string[] {
    return [...this.ctx.hubFor(session).channelsOf(session), ...session.misrouted];
  }

  /**
   * Adds streams to a connection (also those named in its URL, which are no SUBSCRIBE message and
   * are not counted as one). All or nothing: an unknown stream or the per-connection cap refuses
   * the whole request.
   */
  subscribe(session: BinanceSession, params: unknown, fromUrl = false): Outcome {
    const { counters, options } = this.ctx;
    if (!fromUrl) counters.subscribeCalls += 1;
    const names = Array.isArray(params) && params.every((p): p is string => typeof p === 'string') ? params : undefined;
    if (names === undefined) return { ok: false, error: streamErrors.invalidStream() };
    const hub = this.ctx.hubFor(session);
    const parsed: Array<[string, ParsedStream]> = [];
    for (const name of new Set(names)) {
      const stream = hub.parse(name);
      if (stream === undefined) return { ok: false, error: streamErrors.invalidStream() };
      parsed.push([name, stream]);
    }
    const held = new Set(this.list(session));
    const added = parsed.filter(([name]) => !held.has(name));
    const limit = options.maxStreamsPerConnection[session.product];
    if (held.size + added.length > limit) return { ok: false, error: streamErrors.tooManyStreams(limit) };
    const after: Array<() => void> = [];
    for (const [name, stream] of added) {
      counters.subscribedStreams += 1;
      if (!deliversOn(session, stream)) {
        // Docs (2026): a stream of another routed path is accepted and silently never delivered.
        session.misrouted.add(name);
        counters.misroutedStreams += 1;
        continue;
      }
      hub.add(session, name, stream, undefined);
      after.push(() => hub.activate(session, name));
    }
    return { ok: true, result: null, after };
  }

  private unsubscribe(session: BinanceSession, params: unknown): Outcome {
    this.ctx.counters.unsubscribeCalls += 1;
    const names = Array.isArray(params) && params.every((p): p is string => typeof p === 'string') ? params : undefined;
    if (names === undefined) return { ok: false, error: streamErrors.invalidStream() };
    const hub = this.ctx.hubFor(session);
    for (const name of names) {
      if (!session.misrouted.delete(name)) hub.remove(session, name);
    }
    return { ok: true, result: null, after: [] };
  }

  private reply(session: BinanceSession, id: StreamRequestId, outcome: Outcome): void {
    if (!outcome.ok) this.ctx.counters.streamRequestErrors += 1;
    const frame = outcome.ok ? JSON.stringify({ result: outcome.result, id }) : JSON.stringify({ error: outcome.error, id });
    this.ctx.respond(session, frame, outcome.ok ? outcome.after : []);
  }
}

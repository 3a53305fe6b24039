import type { FaultState } from '../shared/fault-state.js';
import type { FeedHub } from '../shared/feeds/feed-hub.js';
import { sameSignature, signBybitAuth } from './bybit-auth.js';
import type { BybitCounters } from './bybit-counters.js';
import { ackFrame, parseBybitFrame, pongFrame, type BybitRequest } from './bybit-envelope.js';
import { BybitErrorCode, bybitRetMsg, type BybitErrorCodeValue } from './bybit-errors.js';
import type { ResolvedBybitOptions } from './bybit-options.js';
import type { BybitSession } from './bybit-session.js';
import { mixesAllInOneAndCategorised, type BybitMarket, type ParsedTopic } from './bybit-topics.js';

export interface BybitOpLogEntry {
  readonly connectionId: number;
  readonly op: string;
  readonly at: number;
}

/** Exchange-wide state the op handler reads and changes (one per exchange). */
export interface BybitRuntime {
  readonly options: ResolvedBybitOptions;
  readonly counters: BybitCounters;
  readonly faults: FaultState;
  readonly hubs: Readonly<Record<BybitMarket, FeedHub<ParsedTopic>>>;
  /** `setRejectAuth(code)`: every auth fails with this code. */
  authRejection: BybitErrorCodeValue | null;
  /** `setOpRejection(code)`: every op but ping fails with this code (a restarting service). */
  opRejection: BybitErrorCodeValue | null;
}

type Outcome = { ok: true; after: Array<() => void> } | { ok: false; retMsg: string };

const OK: Outcome = { ok: true, after: [] };

function fail(retMsg: string): Outcome {
  return { ok: false, retMsg };
}

function stringArgs(args: readonly unknown[] | undefined): string[] | undefined {
  if (args === undefined || args.length === 0) return undefined;
  return args.every((arg): arg is string => typeof arg === 'string') ? [...args] : undefined;
}

/**
 * Turns one client frame into exactly one answer (none in a black hole, none for a ping while
 * heartbeats are paused). Never throws: a frame it cannot read earns an error acknowledgement.
 */
export class BybitOpHandler {
  constructor(
    private readonly runtime: BybitRuntime,
    private readonly opLog: BybitOpLogEntry[],
  ) {}

  handleFrame(session: BybitSession, data: Buffer, isBinary: boolean): void {
    const { counters, faults } = this.runtime;
    if (faults.blackHole) return;
    const frame = isBinary ? undefined : parseBybitFrame(data.toString('utf8'));
    if (frame === undefined || frame.kind === 'unreadable') {
      counters.malformedIn += 1;
      this.respond(session, ackFrame(session.market, session.connId, frame?.op ?? '', frame?.reqId, bybitRetMsg.unparsable()));
      return;
    }
    counters.ops += 1;
    this.log(session.id, frame.op);
    if (frame.op === 'ping') return this.ping(session, frame);
    const outcome = this.execute(session, frame);
    const ack = ackFrame(session.market, session.connId, frame.op, frame.reqId, outcome.ok ? undefined : outcome.retMsg);
    this.respond(session, ack, outcome.ok ? outcome.after : []);
  }

  private ping(session: BybitSession, request: BybitRequest): void {
    const { counters, faults, options } = this.runtime;
    counters.pings += 1;
    session.noteActivity();
    if (faults.heartbeatsPaused) return;
    this.respond(session, pongFrame(session.market, session.connId, request.reqId, options.now()), [
      () => {
        counters.pongs += 1;
      },
    ]);
  }

  private execute(session: BybitSession, request: BybitRequest): Outcome {
    const { counters, options } = this.runtime;
    const known =
      request.op === 'subscribe' || request.op === 'unsubscribe' || (request.op === 'auth' && session.market === 'private');
    if (!known) return fail(bybitRetMsg.invalidOp());
    if (this.runtime.opRejection !== null) return this.failedOp(request.op, bybitRetMsg.coded(this.runtime.opRejection));
    if (session.bucket !== undefined && !session.bucket.tryTake(options.now())) {
      counters.rateLimited += 1;
      return this.failedOp(request.op, bybitRetMsg.coded(BybitErrorCode.TooManyVisits));
    }
    switch (request.op) {
      case 'subscribe':
        return this.subscribe(session, request);
      case 'unsubscribe':
        return this.unsubscribe(session, request);
      default:
        return this.auth(session, request);
    }
  }

  private failedOp(op: string, retMsg: string): Outcome {
    if (op === 'subscribe') this.runtime.counters.subscribeFailures += 1;
    if (op === 'auth') this.runtime.counters.authFailures += 1;
    return fail(retMsg);
  }

  private subscribe(session: BybitSession, request: BybitRequest): Outcome {
    const { counters, options } = this.runtime;
    counters.subscribeCalls += 1;
    const refuse = (retMsg: string): Outcome => this.failedOp('subscribe', retMsg);
    const topics = stringArgs(request.args);
    if (topics === undefined) return refuse(bybitRetMsg.paramsError());
    if (session.market === 'spot' && topics.length > options.spotArgsPerRequest) {
      return refuse(bybitRetMsg.tooManyArgs(options.spotArgsPerRequest));
    }
    const hub = this.runtime.hubs[session.market];
    const parsed: ParsedTopic[] = [];
    for (const topic of topics) {
      const one = hub.parse(topic);
      if (one === undefined) return refuse(bybitRetMsg.handlerNotFound(topic));
      parsed.push(one);
    }
    if (session.market === 'private' && session.account === undefined) return refuse(bybitRetMsg.notAuthorized());
    if (mixesAllInOneAndCategorised(parsed)) return refuse(bybitRetMsg.mixedTopics());
    const seen = new Set<string>();
    for (const topic of topics) {
      if (seen.has(topic) || hub.has(session, topic)) return refuse(bybitRetMsg.alreadySubscribed(topic));
      seen.add(topic);
    }
    const chars = topics.reduce((sum, topic) => sum + topic.length, 0);
    if (session.market !== 'private' && session.argsChars + chars > options.argsCharsPerConnection) {
      return refuse(bybitRetMsg.argsTooLong(options.argsCharsPerConnection));
    }
    // All or nothing: a refused request subscribes none of its topics.
    const after: Array<() => void> = [];
    topics.forEach((topic, i) => {
      const one = parsed[i];
      if (one === undefined) return;
      hub.add(session, topic, one, session.account?.apiKey);
      after.push(() => hub.activate(session, topic));
    });
    session.argsChars += chars;
    counters.subscribedTopics += topics.length;
    return { ok: true, after };
  }

  private unsubscribe(session: BybitSession, request: BybitRequest): Outcome {
    const { counters, options } = this.runtime;
    counters.unsubscribeCalls += 1;
    const topics = stringArgs(request.args);
    if (topics === undefined) return fail(bybitRetMsg.paramsError());
    if (session.market === 'spot' && topics.length > options.spotArgsPerRequest) {
      return fail(bybitRetMsg.tooManyArgs(options.spotArgsPerRequest));
    }
    const hub = this.runtime.hubs[session.market];
    for (const topic of new Set(topics)) {
      if (hub.remove(session, topic)) session.argsChars -= topic.length;
    }
    return OK;
  }

  /** `{"op":"auth","args":[apiKey, expires, signature]}` with `signature = hex HMAC_SHA256(secret, "GET/realtime" + expires)`. */
  private auth(session: BybitSession, request: BybitRequest): Outcome {
    const { counters, options, faults } = this.runtime;
    const refuse = (retMsg: string): Outcome => this.failedOp('auth', retMsg);
    const [apiKey, rawExpires, signature] = request.args ?? [];
    const expires = typeof rawExpires === 'string' && /^\d+$/.test(rawExpires) ? Number(rawExpires) : rawExpires;
    if (
      request.args?.length !== 3 ||
      typeof apiKey !== 'string' ||
      typeof signature !== 'string' ||
      typeof expires !== 'number'
    ) {
      return refuse(bybitRetMsg.paramsError());
    }
    if (session.account !== undefined) return refuse(bybitRetMsg.coded(BybitErrorCode.RepeatAuth));
    if (this.runtime.authRejection !== null) return refuse(bybitRetMsg.coded(this.runtime.authRejection));
    if (faults.rejectAuth) return refuse(bybitRetMsg.coded(BybitErrorCode.InvalidApiKey));
    const account = options.accounts.find((candidate) => candidate.apiKey === apiKey);
    if (account === undefined) return refuse(bybitRetMsg.coded(BybitErrorCode.InvalidApiKey));
    if (!sameSignature(signBybitAuth(account.apiSecret, expires), signature)) {
      return refuse(bybitRetMsg.coded(BybitErrorCode.InvalidSignature));
    }
    // Seen from the venue: a stale `expires` is answered "Params Error", not a signature error.
    if (expires <= options.now()) return refuse(bybitRetMsg.paramsError());
    if (account.allowedIps !== undefined && !account.allowedIps.includes(session.remoteAddress)) {
      return refuse(bybitRetMsg.coded(BybitErrorCode.UnmatchedIp));
    }
    session.account = account;
    counters.auth += 1;
    return OK;
  }

  private respond(session: BybitSession, frame: string, after: ReadonlyArray<() => void> = []): void {
    const send = (): void => {
      session.send(frame);
      for (const fn of after) fn();
    };
    const delay = this.runtime.faults.responseDelayMs;
    if (delay > 0) session.later(delay, send);
    else send();
  }

  private log(connectionId: number, op: string): void {
    this.opLog.push({ connectionId, op, at: this.runtime.options.now() });
    const overflow = this.opLog.length - this.runtime.options.requestLogLimit;
    if (overflow > 0) this.opLog.splice(0, overflow);
  }
}

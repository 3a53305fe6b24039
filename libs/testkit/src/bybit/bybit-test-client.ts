import { connectClient, isRecord, WsTestClient, type WsTestClientOptions } from '../shared/testing/ws-test-client.js';
import { bybitAuthArgs } from './bybit-auth.js';

/** An acknowledgement as received: `success`/`ret_msg` on ops, `op: "pong"` + `args` on private pongs. */
export interface BybitAck {
  success?: boolean;
  ret_msg?: string;
  conn_id?: string;
  req_id?: string;
  op: string;
  args?: string[];
}

/** A topic message as received (`type`/`ts`/`data` on public topics, `id`/`creationTime`/`data` on private ones). */
export interface BybitTopicMessage {
  topic: string;
  type?: 'snapshot' | 'delta';
  ts?: number;
  data: unknown;
  [field: string]: unknown;
}

export class BybitOpError extends Error {
  constructor(
    readonly op: string,
    readonly ack: BybitAck,
  ) {
    super(`${op} failed: ${ack.ret_msg ?? '(no ret_msg)'}`);
    this.name = 'BybitOpError';
  }
}

function isTopicMessage(message: unknown): message is BybitTopicMessage {
  return isRecord(message) && typeof message.topic === 'string' && 'data' in message;
}

/**
 * A plain `ws` client speaking Bybit v5 ops, for tests against `BybitTestExchange` (or any
 * Bybit-like server). Every op it sends carries a `req_id`, so each acknowledgement is matched.
 */
export class BybitTestClient extends WsTestClient {
  private nextReqId = 0;

  static connect(url: string, options: WsTestClientOptions = {}): Promise<BybitTestClient> {
    return connectClient(url, { autoPong: options.autoPong ?? true }, (socket) => new BybitTestClient(socket, options));
  }

  /** Sends `{req_id, op, args}` and resolves with its acknowledgement (failures included). */
  async op(op: string, args?: unknown[], timeoutMs = this.timeoutMs): Promise<BybitAck> {
    this.nextReqId += 1;
    const reqId = `t${this.nextReqId}`;
    this.sendJson(args === undefined ? { req_id: reqId, op } : { req_id: reqId, op, args });
    return (await this.waitForMessage((m) => isRecord(m) && m.req_id === reqId && !('topic' in m), timeoutMs, false)) as BybitAck;
  }

  /** Like `op`, but rejects with `BybitOpError` when `success` is false. */
  async call(op: string, args?: unknown[], timeoutMs?: number): Promise<BybitAck> {
    const ack = await this.op(op, args, timeoutMs);
    if (ack.success === false) throw new BybitOpError(op, ack);
    return ack;
  }

  ping(timeoutMs?: number): Promise<BybitAck> {
    return this.op('ping', undefined, timeoutMs);
  }

  subscribe(topics: string[]): Promise<BybitAck> {
    return this.call('subscribe', topics);
  }

  unsubscribe(topics: string[]): Promise<BybitAck> {
    return this.call('unsubscribe', topics);
  }

  /** `auth` with a signature over `GET/realtime` + `expires` (default: 10 s from now). */
  auth(apiKey = 'test-key', apiSecret = 'test-secret', expires?: number): Promise<BybitAck> {
    return this.call('auth', bybitAuthArgs(apiKey, apiSecret, expires));
  }

  /** Every message received on `topic`, in order. */
  topicMessages(topic: string): BybitTopicMessage[] {
    return this.messages.filter((m): m is BybitTopicMessage => isTopicMessage(m) && m.topic === topic);
  }

  waitForTopicMessages(topic: string, count: number, timeoutMs?: number): Promise<BybitTopicMessage[]> {
    return this.waitForCount(() => this.topicMessages(topic), count, `messages on ${topic}`, timeoutMs);
  }
}

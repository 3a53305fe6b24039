import type { ChannelAllowList } from './public-channels.js';
import type { StatusSnapshot } from '../status/connection-status.service.js';

/**
 * What a browser may send on /stream. `connection` names the app's connection (`deribit`,
 * `bybit`, ...); it may be left out when exactly one connection offers the channel (the form of
 * the single-connection app). A parsed request always carries the connection it resolved to.
 */
export type StreamRequest =
  | { type: 'subscribe'; connection: string; channel: string; id?: string | number }
  | { type: 'unsubscribe'; connection: string; channel: string; id?: string | number }
  | { type: 'ping'; id?: string | number }
  /** Subscribe to connection status pushes (state, since, reason, ages); public, no credential. */
  | { type: 'status'; id?: string | number };

export type StreamErrorCode =
  | 'too_large'
  | 'binary'
  | 'bad_json'
  | 'bad_shape'
  | 'unknown_type'
  | 'channel_not_allowed'
  | 'unknown_connection'
  | 'channel_unavailable'
  | 'rate_limited';

/** What the gateway sends. Errors never echo the offending input back. */
export type StreamMessage =
  /**
   * `connections`: every connection with its venue, state and channels. `channels`, `connection`,
   * `state` and `testExchange` (the data is from a test exchange: seeded, not real prices)
   * describe the first one, as the single-connection app did.
   */
  | {
      type: 'welcome';
      channels: string[];
      connection: string;
      state: string;
      testExchange: boolean;
      connections: WelcomeConnection[];
    }
  | { type: 'state'; connection: string; state: string }
  | { type: 'subscribed' | 'unsubscribed'; connection: string; channel: string; id?: string | number }
  | { type: 'data'; connection: string; channel: string; data: unknown }
  | { type: 'pong'; id?: string | number }
  | ({ type: 'status'; id?: string | number } & StatusSnapshot)
  /** With `channel` (and its `connection`): about a channel the client joined, not about a request. */
  | { type: 'error'; code: StreamErrorCode; message: string; id?: string | number; connection?: string; channel?: string };

/** One connection as the welcome frame lists it. */
export interface WelcomeConnection {
  name: string;
  venue: string;
  state: string;
  channels: string[];
  /** The channel the status page shows as this connection's ticker. */
  ticker: string;
  testExchange: boolean;
}

/** Each connection's allow-list, by connection name, in the app's order. */
export type AllowLists = ReadonlyMap<string, ChannelAllowList>;

export type ParseResult =
  { ok: true; request: StreamRequest } | { ok: false; code: StreamErrorCode; message: string; id?: string | number };

export interface ParseLimits {
  /** Largest accepted message, bytes (UTF-8). */
  maxBytes: number;
}

const ALLOWED_KEYS: ReadonlySet<string> = new Set(['type', 'connection', 'channel', 'id']);
const MAX_CONNECTION_LENGTH = 64;
const MAX_CHANNEL_LENGTH = 128;
const MAX_ID_LENGTH = 64;

/**
 * Validates one inbound frame: size, text, JSON, shape, type, and channel against the allow-list.
 * Pure, so every refusal is unit-tested without a socket.
 */
export function parseStreamRequest(
  frame: Buffer | ArrayBuffer | Buffer[] | string,
  isBinary: boolean,
  allowLists: AllowLists,
  limits: ParseLimits,
): ParseResult {
  const bytes = byteLength(frame);
  if (bytes > limits.maxBytes) return refuse('too_large', `message exceeds ${limits.maxBytes} bytes`);
  if (isBinary) return refuse('binary', 'binary messages are not accepted; send JSON text');
  let value: unknown;
  try {
    value = JSON.parse(toText(frame));
  } catch {
    return refuse('bad_json', 'message is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return refuse('bad_shape', 'message must be a JSON object');
  const record = value as Record<string, unknown>;
  const id = readId(record.id);
  if (id === null) return refuse('bad_shape', `id must be a string of at most ${MAX_ID_LENGTH} characters or a finite number`);
  for (const key of Object.keys(record)) {
    if (!ALLOWED_KEYS.has(key)) return refuse('bad_shape', 'message has an unknown field', id);
  }
  const type = record.type;
  if (typeof type !== 'string') return refuse('bad_shape', 'type must be a string', id);
  if (type === 'ping' || type === 'status') {
    if (record.channel !== undefined) return refuse('bad_shape', `${type} takes no channel`, id);
    if (record.connection !== undefined) return refuse('bad_shape', `${type} takes no connection`, id);
    return { ok: true, request: withId({ type }, id) };
  }
  if (type !== 'subscribe' && type !== 'unsubscribe')
    return refuse('unknown_type', 'type must be subscribe, unsubscribe, ping or status', id);
  const channel = record.channel;
  if (typeof channel !== 'string' || channel.length === 0 || channel.length > MAX_CHANNEL_LENGTH) {
    return refuse('bad_shape', 'channel must be a non-empty string', id);
  }
  const connection = record.connection;
  if (connection !== undefined) {
    if (typeof connection !== 'string' || connection.length === 0 || connection.length > MAX_CONNECTION_LENGTH) {
      return refuse('bad_shape', 'connection must be a non-empty string', id);
    }
    const list = allowLists.get(connection);
    if (list === undefined) return refuse('unknown_connection', 'no such connection on this stream', id);
    if (!list.has(channel)) return refuse('channel_not_allowed', 'channel is not available on this connection', id);
    return { ok: true, request: withId({ type, connection, channel }, id) };
  }
  // No connection named: the one connection that offers the channel (the single-connection form).
  const offering = [...allowLists].filter(([, list]) => list.has(channel)).map(([name]) => name);
  if (offering.length === 0) return refuse('channel_not_allowed', 'channel is not available on this stream', id);
  if (offering.length > 1) {
    return refuse('bad_shape', `several connections offer this channel: name one with connection (${offering.join(', ')})`, id);
  }
  return { ok: true, request: withId({ type, connection: offering[0] as string, channel }, id) };
}

function refuse(code: StreamErrorCode, message: string, id?: string | number): ParseResult {
  return id === undefined ? { ok: false, code, message } : { ok: false, code, message, id };
}

function withId<T extends object>(request: T, id: string | number | undefined): T & { id?: string | number } {
  return id === undefined ? request : { ...request, id };
}

/** undefined = absent, null = present but invalid. */
function readId(id: unknown): string | number | undefined | null {
  if (id === undefined) return undefined;
  if (typeof id === 'number' && Number.isFinite(id)) return id;
  if (typeof id === 'string' && id.length <= MAX_ID_LENGTH) return id;
  return null;
}

function byteLength(frame: Buffer | ArrayBuffer | Buffer[] | string): number {
  if (typeof frame === 'string') return Buffer.byteLength(frame, 'utf8');
  if (Array.isArray(frame)) return frame.reduce((sum, part) => sum + part.length, 0);
  return frame.byteLength;
}

function toText(frame: Buffer | ArrayBuffer | Buffer[] | string): string {
  if (typeof frame === 'string') return frame;
  if (Array.isArray(frame)) return Buffer.concat(frame).toString('utf8');
  return Buffer.from(frame instanceof ArrayBuffer ? new Uint8Array(frame) : frame).toString('utf8');
}

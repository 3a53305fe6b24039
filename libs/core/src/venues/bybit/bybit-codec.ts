import { randomBytes } from 'node:crypto';
import type { ExchangeConnectionError } from '../../client/errors.js';
import {
  MALFORMED_FRAME,
  MESSAGE_FRAME,
  type DecodedFrame,
  type VenueCodec,
  type VenueErrorInfo,
  type VenueMessage,
} from '../../client/venue-codec.js';
import { decodeBybitFrame, encodeBybitRequest, type BybitDialect } from './bybit-envelope.js';
import { mapBybitError } from './bybit-errors.js';

/**
 * Bybit v5's envelope for one client. Request ids go out as `req_id` (`reqId` on `/v5/trade`)
 * strings with a per-client prefix: the order-entry endpoint refuses a duplicated reqId (20006), and
 * a prefix keeps a new client's ids apart from an old one's. An ack echoing one of ours is matched
 * by it; one echoing none by its op; one echoing someone else's is an unknown id.
 */
export class BybitCodec implements VenueCodec {
  readonly prefix: string;

  constructor(
    private readonly dialect: BybitDialect = 'stream',
    prefix: string = `${randomBytes(4).toString('hex')}-`,
  ) {
    this.prefix = prefix;
  }

  encode(id: number, method: string, params: object | undefined): string {
    return encodeBybitRequest(this.dialect, `${this.prefix}${id}`, method, params as Readonly<Record<string, unknown>>);
  }

  decode(frame: VenueMessage): DecodedFrame {
    const decoded = decodeBybitFrame(frame);
    switch (decoded.kind) {
      case 'message':
        return MESSAGE_FRAME;
      case 'wrong-shape':
        return MALFORMED_FRAME['wrong-shape'];
      case 'ack': {
        const id = this.idOf(decoded.reqId);
        if (id === null) return MALFORMED_FRAME['unknown-id'];
        return { kind: 'response', id, method: decoded.op, result: decoded.result };
      }
      case 'nack': {
        const id = this.idOf(decoded.reqId);
        if (id === null) return MALFORMED_FRAME['unknown-id'];
        return { kind: 'error', id, method: decoded.op, error: { code: decoded.code, message: decoded.message } };
      }
    }
  }

  toError(error: VenueErrorInfo, method: string): ExchangeConnectionError {
    return mapBybitError({ code: error.code, message: error.message, op: method });
  }

  /** Our id, undefined when the ack echoes none (match by op), null when it echoes a foreign one. */
  private idOf(reqId: string | undefined): number | undefined | null {
    if (reqId === undefined) return undefined;
    if (!reqId.startsWith(this.prefix)) return null;
    const id = Number(reqId.slice(this.prefix.length));
    return Number.isSafeInteger(id) && id > 0 ? id : null;
  }
}

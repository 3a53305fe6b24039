import { MESSAGE_FRAME } from '../../client/venue-codec.js';
import { BybitCodec } from './bybit-codec.js';

describe('BybitCodec', () => {
  it('writes req_id with its prefix, and matches acks that echo it', () => {
    const codec = new BybitCodec('stream', 'p1-');
    expect(JSON.parse(codec.encode(7, 'subscribe', { args: ['tickers.BTCUSDT'] }))).toEqual({
      req_id: 'p1-7',
      op: 'subscribe',
      args: ['tickers.BTCUSDT'],
    });
    expect(codec.decode({ success: true, ret_msg: '', conn_id: 'c', req_id: 'p1-7', op: 'subscribe' })).toMatchObject({
      kind: 'response',
      id: 7,
      method: 'subscribe',
    });
  });

  it('writes reqId on the order-entry endpoint', () => {
    expect(JSON.parse(new BybitCodec('trade', 'p-').encode(3, 'order.create', { args: [{}] }))).toEqual({
      reqId: 'p-3',
      op: 'order.create',
      args: [{}],
    });
  });

  it('gives each client its own prefix', () => {
    expect(new BybitCodec().prefix).not.toBe(new BybitCodec().prefix);
  });

  it('matches an ack that echoes no id by its op (private acks, the spot pong)', () => {
    const codec = new BybitCodec('stream', 'p-');
    expect(codec.decode({ success: true, ret_msg: 'pong', conn_id: 'c', op: 'ping' })).toEqual({
      kind: 'response',
      id: undefined,
      method: 'ping',
      result: expect.anything(),
    });
  });

  it('calls an ack with a foreign or broken id an unknown id', () => {
    const codec = new BybitCodec('stream', 'p-');
    expect(codec.decode({ success: true, req_id: 'q-1', op: 'subscribe' })).toEqual({ kind: 'malformed', reason: 'unknown-id' });
    expect(codec.decode({ success: false, ret_msg: 'x', req_id: 'p-x', op: 'subscribe' })).toEqual({
      kind: 'malformed',
      reason: 'unknown-id',
    });
  });

  // Found by test/faults/bybit/bybit-hostile-frames.spec.ts: a numeric req_id read as "no id" was
  // matched by op, so a junk nack could fail the subscribe of a book resync (CHANNEL_REFUSED).
  it.each([5, 0, true, {}, ['p-1']])('an ack whose req_id is present but no string (%p) echoes nobody of ours', (reqId) => {
    const codec = new BybitCodec('stream', 'p-');
    expect(codec.decode({ success: false, ret_msg: 'error:handler not found', req_id: reqId, op: 'subscribe' })).toEqual({
      kind: 'malformed',
      reason: 'unknown-id',
    });
    expect(codec.decode({ retCode: 0, retMsg: 'OK', reqId, op: 'subscribe' })).toEqual({
      kind: 'malformed',
      reason: 'unknown-id',
    });
  });

  it('types failures as Bybit errors, classified by the code in the text when there is one', () => {
    const codec = new BybitCodec('stream', 'p-');
    const decoded = codec.decode({ success: false, ret_msg: 'error:Error sign,code:10004', req_id: 'p-2', op: 'auth' });
    expect(decoded).toEqual({
      kind: 'error',
      id: 2,
      method: 'auth',
      error: { code: 10004, message: 'error:Error sign,code:10004' },
    });
    expect(codec.toError({ code: 10004, message: 'error:Error sign,code:10004' }, 'auth')).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      venueCode: 10004,
      method: 'auth',
    });
  });

  it('hands data messages on with the shared constant', () => {
    expect(new BybitCodec().decode({ topic: 'tickers.BTCUSDT', type: 'snapshot', data: {} })).toBe(MESSAGE_FRAME);
  });
});

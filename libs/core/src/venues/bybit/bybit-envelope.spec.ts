import { decodeBybitFrame, encodeBybitRequest } from './bybit-envelope.js';

describe('encodeBybitRequest', () => {
  it('writes the stream envelope with req_id', () => {
    expect(JSON.parse(encodeBybitRequest('stream', 'a-7', 'subscribe', { args: ['tickers.BTCUSDT'] }))).toEqual({
      req_id: 'a-7',
      op: 'subscribe',
      args: ['tickers.BTCUSDT'],
    });
    expect(encodeBybitRequest('stream', 'a-8', 'ping', undefined)).toBe('{"req_id":"a-8","op":"ping"}');
  });

  it('writes the order-entry envelope with reqId and a header', () => {
    const frame = JSON.parse(
      encodeBybitRequest('trade', 'a-9', 'order.create', { header: { 'X-BAPI-TIMESTAMP': '1' }, args: [{ symbol: 'X' }] }),
    );
    expect(frame).toEqual({ reqId: 'a-9', op: 'order.create', header: { 'X-BAPI-TIMESTAMP': '1' }, args: [{ symbol: 'X' }] });
  });

  it.each(['op', 'req_id', 'reqId'])('refuses params that set %s', (key) => {
    expect(() => encodeBybitRequest('stream', '1', 'subscribe', { [key]: 'x' })).toThrow(`may not set "${key}"`);
  });
});

describe('decodeBybitFrame', () => {
  // Samples from the v5 docs (connect page; websocket trade guideline).
  it.each([
    [
      'linear subscribe ack',
      { success: true, ret_msg: '', conn_id: 'c', req_id: 'a-1', op: 'subscribe' },
      { kind: 'ack', reqId: 'a-1', op: 'subscribe' },
    ],
    [
      'private subscribe ack (no req_id)',
      { success: true, ret_msg: '', op: 'subscribe', conn_id: 'c' },
      { kind: 'ack', reqId: undefined, op: 'subscribe' },
    ],
    [
      'linear ack with an empty req_id',
      { success: true, ret_msg: '', req_id: '', op: 'auth' },
      { kind: 'ack', reqId: undefined, op: 'auth' },
    ],
    ['spot pong', { success: true, ret_msg: 'pong', conn_id: 'c', op: 'ping' }, { kind: 'ack', reqId: undefined, op: 'ping' }],
    [
      'private pong',
      { req_id: 'a-3', op: 'pong', args: ['1675418560633'], conn_id: 'c' },
      { kind: 'ack', reqId: 'a-3', op: 'ping' },
    ],
    [
      'refused subscribe',
      { success: false, ret_msg: 'error:handler not found', op: 'subscribe', req_id: 'a-4' },
      { kind: 'nack', reqId: 'a-4', op: 'subscribe', code: undefined, message: 'error:handler not found' },
    ],
    [
      'order entry error',
      { reqId: 'a-5', retCode: 10429, retMsg: 'System level frequency protection', op: 'order.create' },
      { kind: 'nack', reqId: 'a-5', op: 'order.create', code: 10429, message: 'System level frequency protection' },
    ],
  ])('%s', (_name, frame, expected) => {
    expect(decodeBybitFrame(frame)).toMatchObject(expected);
  });

  it('reads a code a stream failure carries in its text', () => {
    expect(decodeBybitFrame({ success: false, ret_msg: 'error:Error sign,code:10004', op: 'auth' })).toMatchObject({
      kind: 'nack',
      code: 10004,
      message: 'error:Error sign,code:10004',
    });
    expect(decodeBybitFrame({ success: false, ret_msg: 'encode:12', op: 'auth' })).toMatchObject({ code: undefined });
  });

  it('hands the ack frame (streams) or its data (order entry) as the result', () => {
    const ack = { success: true, ret_msg: '', op: 'auth' };
    expect(decodeBybitFrame(ack)).toMatchObject({ result: ack });
    const data = { orderId: 'o-1' };
    expect(decodeBybitFrame({ reqId: 'r', retCode: 0, retMsg: 'OK', op: 'order.create', data })).toMatchObject({ result: data });
  });

  it('answers every data message with the same constant', () => {
    const first = decodeBybitFrame({ topic: 'tickers.BTCUSDT', type: 'snapshot', data: {} });
    const second = decodeBybitFrame({ topic: 'orderbook.1.BTCUSDT', op: 'subscribe', data: {} });
    expect(first).toEqual({ kind: 'message' });
    expect(second).toBe(first);
    expect(decodeBybitFrame({ type: 'COMMAND_RESP', data: {} })).toBe(first);
  });

  it('calls topic data that is neither an object nor an array wrong', () => {
    expect(decodeBybitFrame({ topic: 'tickers.BTCUSDT', type: 'delta', data: 'not-an-object' })).toEqual({ kind: 'wrong-shape' });
    expect(decodeBybitFrame({ topic: 'tickers.BTCUSDT', type: 'delta' })).toEqual({ kind: 'wrong-shape' });
    expect(decodeBybitFrame({ topic: 'order', data: [] })).toEqual({ kind: 'message' });
  });

  it('calls an op without a success flag, a code or a pong shape wrong', () => {
    expect(decodeBybitFrame({ op: 'subscribe' })).toEqual({ kind: 'wrong-shape' });
    expect(decodeBybitFrame({ op: 'subscribe', success: 'yes' })).toEqual({ kind: 'wrong-shape' });
  });
});
